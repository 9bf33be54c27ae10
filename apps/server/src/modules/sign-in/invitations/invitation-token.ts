import { randomBytes } from 'node:crypto';
import { hmacSha256 } from '../../../platform/crypto/index.ts';

/**
 * An invitation link's secret: `sci_` and 256 random bits (base64url). Only an HMAC of it under a server pepper
 * is stored (like API keys and sessions, ADR 0003), so a copy of the table opens no account. The prefix lets
 * secret scanners and people recognise it.
 */
export const generateInvitationToken = (): string => `sci_${randomBytes(32).toString('base64url')}`;

export const hashInvitationToken = (pepper: Buffer, token: string): Buffer => hmacSha256(pepper, token);

/** Cheap shape check before any database work. */
export const looksLikeInvitationToken = (s: string): boolean => /^sci_[A-Za-z0-9_-]{43}$/.test(s);
