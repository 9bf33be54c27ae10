/**
 * What an error tells the client besides its code, as data: the HTTP adapter renders these as headers
 * (http/problem-headers.ts), so no module writes a header, and every challenge and limit is spelled one way.
 */

/**
 * An authentication challenge (RFC 9110 §11.6.1): its scheme and the auth-params of RFC 6750 §3 (Bearer),
 * RFC 9449 §7.1 (DPoP), RFC 9470 §3 (`max_age`) and RFC 9728 §5.1 (`resource_metadata`). Values are
 * constants or catalogue titles, never what the caller sent (issue 8 point 2).
 */
export interface Challenge {
  readonly scheme: 'Bearer' | 'DPoP';
  readonly realm?: string | undefined;
  readonly error?: string | undefined;
  readonly description?: string | undefined;
  readonly scope?: string | undefined;
  readonly maxAge?: number | undefined;
  readonly algs?: readonly string[] | undefined;
  readonly resourceMetadata?: string | undefined;
}

/**
 * One limit a request was held to, named by its policy (`api-key`, `org`, `budget-throttle`), as the RateLimit
 * fields of draft-ietf-httpapi-ratelimit-headers-10 report it. A refused limit also asks for a Retry-After.
 */
export interface RateLimitState {
  readonly policy: string;
  readonly allowed: boolean;
  readonly limit: number;
  readonly windowSeconds: number;
  readonly remaining: number;
  readonly resetSeconds: number;
}
