import type { Principal } from './principal.ts';

/** What an authenticator sees of a request: the credential-bearing parts and the target (for DPoP htu/htm). */
export interface AuthRequest {
  readonly authorization: string | undefined;
  readonly dpop: string | undefined;
  readonly cookies: Readonly<Record<string, string>>;
  readonly method: string;
  /** Absolute URL of the request as the client addressed it (public URL + path), without query or fragment. */
  readonly url: string;
  /** `Origin` and `Sec-Fetch-Site`: where a browser says the request came from (CSRF checks on cookies). */
  readonly origin?: string | undefined;
  readonly fetchSite?: string | undefined;
  /** The client's address as the HTTP layer sees it (policy context `ip`). */
  readonly ip?: string | undefined;
}

/**
 * One way to authenticate (API key, JWT access token, session cookie). Returns undefined when the request does
 * not carry its kind of credential, a principal when it verifies, and throws a 401 AppError when it carries
 * one that fails. The HTTP adapter tries them in order; none answering means 401.
 */
export type Authenticator = (req: AuthRequest, now: Date) => Promise<Principal | undefined>;

const BEARER = /^Bearer\s+(\S+)\s*$/i;
export const bearerToken = (req: AuthRequest): string | undefined =>
  req.authorization === undefined ? undefined : BEARER.exec(req.authorization)?.[1];

/** A JWT has three base64url parts; an API key never does. */
export const looksLikeJwt = (token: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);
