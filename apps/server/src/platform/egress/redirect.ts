import type { EgressAllowlist } from './allowlist.ts';
import type { EgressResult } from './errors.ts';
import { fail } from './errors.ts';
import type { EgressPorts } from './ports.ts';
import { parseTargetUrl } from './url.ts';

/** Redirect statuses that carry a Location to follow (Fetch §4.4 "redirect status"). */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Request headers that describe the body; dropped when a redirect turns the request into a GET (Fetch §4.4).
 */
const BODY_HEADERS = [
  'content-encoding',
  'content-language',
  'content-location',
  'content-type',
  'content-length',
];

/**
 * Credentials meant for one origin. Fetch §4.4 drops Authorization on a cross-origin redirect; a server-side
 * client has no cookie jar or proxy to scope the other two, so they go too.
 */
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * Judges a Location header with the same policy as the first URL (addresses and ports). Relative references that keep the host are
 * resolved against the current URL; one that names a host is also parsed as written, so a non-canonical IPv4
 * spelling in it is caught, and refused if the two readings disagree.
 */
export function checkRedirectTarget(
  location: string,
  current: URL,
  allow: EgressAllowlist,
  ports: EgressPorts,
): EgressResult<{ readonly url: URL }> {
  let resolved: URL;
  try {
    resolved = new URL(location, current);
  } catch {
    return fail('egress_invalid_url', `Location "${location.slice(0, 200)}" is not a valid URL`);
  }
  const keepsHost = resolved.protocol === current.protocol && resolved.host === current.host;
  const written = keepsHost
    ? resolved.href
    : /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(location.trim())
      ? location
      : `${current.protocol}${location.trim()}`;
  const checked = parseTargetUrl(written, allow, ports);
  if (!checked.ok) return checked;
  if (checked.url.href !== resolved.href) {
    return fail('egress_invalid_url', `Location "${location.slice(0, 200)}" is ambiguous`);
  }
  return { ok: true, url: resolved };
}

/** True when Fetch §4.4 step 12 turns this redirect into a body-less GET. */
function becomesGet(status: number, method: string): boolean {
  if ((status === 301 || status === 302) && method === 'POST') return true;
  return status === 303 && method !== 'GET' && method !== 'HEAD';
}

/**
 * The request for the next hop. `replay` is an unread clone of the previous request, taken before it was
 * sent, whose body is re-sent on 307/308.
 */
export function nextHopRequest(
  prev: Request,
  replay: Request | undefined,
  status: number,
  url: URL,
): Request {
  const headers = new Headers(prev.headers);
  let method = prev.method;
  let body: ReadableStream<Uint8Array> | null = replay?.body ?? null;
  if (becomesGet(status, method)) {
    method = 'GET';
    body = null;
    for (const name of BODY_HEADERS) headers.delete(name);
  }
  if (new URL(prev.url).origin !== url.origin) {
    for (const name of ORIGIN_BOUND_HEADERS) headers.delete(name);
  }
  return new Request(url, {
    method,
    headers,
    body,
    signal: prev.signal,
    redirect: 'manual',
    ...(body === null ? {} : { duplex: 'half' as const }),
  });
}
