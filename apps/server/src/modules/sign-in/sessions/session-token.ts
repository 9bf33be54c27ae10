import { randomBytes } from 'node:crypto';
import { hmacSha256 } from '../../../platform/crypto/index.ts';

/**
 * A session token is 256 random bits (base64url). Only an HMAC of it under a server pepper is stored, so a copy
 * of the sessions table cannot be replayed as cookies (same reasoning as API keys, ADR 0003).
 */
export const generateSessionToken = (): string => randomBytes(32).toString('base64url');

export const hashSessionToken = (pepper: Buffer, token: string): Buffer => hmacSha256(pepper, token);

/** Cheap shape check before any database work: anything else in the cookie is not ours. */
export const looksLikeSessionToken = (s: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(s);
