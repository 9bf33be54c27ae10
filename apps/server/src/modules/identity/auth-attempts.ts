import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { AppError, isAppError } from '../../kernel/index.ts';
import type { AttemptLimiter } from '../../platform/ratelimit/index.ts';

/**
 * Throttling of failed authentication across accounts and processes (issue 8 point 7, ADR 0022): per source
 * address (every client-secret and password failure from one network counts, whatever the account or client id
 * it tried: password spraying, guessed client ids), and per confidential client id (wrong secrets, from
 * anywhere). Successes give their point back, so only failures use a window up. The per-account backoff of
 * passwords (accounts/login-throttle.ts) stays as it is, beside this.
 */
export interface AuthAttempts {
  /** Starts an attempt; refused (nothing counted) while the source or the client has used up its failures. */
  begin(who: { source: string | undefined; client?: string | undefined }): Promise<AuthAttempt>;
}

export type AuthAttempt =
  | { readonly allowed: true; succeeded(): Promise<void> }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * The network a source address stands for: an IPv4 address, or the /64 of an IPv6 one (one host commonly
 * holds a whole /64, so counting single v6 addresses would not count anything).
 */
export function sourceKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  let a = ipaddr.parse(ip);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  if (a.kind() === 'ipv4') return a.toString();
  const parts = (a as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}

/** A client id as sent (up to the body limit): long ones are stored by their hash, never in full. */
const clientKey = (id: string): string =>
  id.length <= 128 ? id : `sha256:${createHash('sha256').update(id).digest('base64url')}`;

export function createAuthAttempts(deps: {
  perSource: AttemptLimiter;
  perClient: AttemptLimiter;
}): AuthAttempts {
  return {
    async begin(who) {
      const taken: { succeeded(): Promise<void> }[] = [];
      const giveBack = () => Promise.all(taken.map((t) => t.succeeded())).then(() => undefined);
      const steps: [AttemptLimiter, string][] = [];
      if (who.source !== undefined) steps.push([deps.perSource, `source:${sourceKey(who.source)}`]);
      if (who.client !== undefined) steps.push([deps.perClient, `client:${clientKey(who.client)}`]);
      for (const [limiter, key] of steps) {
        const a = await limiter.take(key);
        if (!a.allowed) {
          await giveBack();
          return a;
        }
        taken.push(a);
      }
      return { allowed: true, succeeded: giveBack };
    },
  };
}

/** The refusal as the API and the sign-in pages report it: 429 with Retry-After (RFC 9110 §10.2.3). */
export const tooManyFailures = (retryAfterSeconds: number): AppError =>
  new AppError(
    'rate_limited',
    `Too many failed sign-ins from your network; try again in ${retryAfterSeconds} seconds.`,
    { retryAfterSeconds },
  );

/**
 * Runs one password check as an attempt of its source: refused (429) while the source has used up its
 * failures; a success gives its point back. A refusal of ours (wrong password, an account backing off) is a
 * failure; a fault on our side is not held against the caller.
 */
export async function asAttempt<T>(
  attempts: AuthAttempts | undefined,
  source: string | undefined,
  run: () => Promise<T>,
  succeeded: (result: T) => boolean = () => true,
): Promise<T> {
  if (attempts === undefined) return run();
  const a = await attempts.begin({ source });
  if (!a.allowed) throw tooManyFailures(a.retryAfterSeconds);
  let ok = false;
  try {
    const r = await run();
    ok = succeeded(r);
    return r;
  } catch (e) {
    ok = !isAppError(e);
    throw e;
  } finally {
    if (ok) await a.succeeded();
  }
}
