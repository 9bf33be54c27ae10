import { isIP } from 'node:net';
import type { EgressAllowlist } from './allowlist.ts';
import { EMPTY_ALLOWLIST } from './allowlist.ts';
import type { EgressResult } from './errors.ts';
import { fail } from './errors.ts';
import { isNonCanonicalIPv4, rawAuthority, rawHost, trimUrlInput } from './literal.ts';
import { checkAddress } from './policy.ts';
import type { EgressPorts } from './ports.ts';
import { checkPort, DEFAULT_PORTS } from './ports.ts';

export type TargetHost =
  | { readonly kind: 'ip'; readonly address: string }
  | { readonly kind: 'name'; readonly name: string };

export type TargetUrlResult = EgressResult<{ readonly url: URL; readonly host: TargetHost }>;

const SCHEMES: readonly string[] = ['http:', 'https:'];

/**
 * Validates an outbound URL without touching the network: http or https only, no userinfo, no non-canonical
 * IPv4 spelling, a port `ports` allows (never a Fetch "bad port"), and, when the host is an IP literal, an
 * address the policy allows. A host name passes here; its addresses are judged when it is resolved
 * (`checkUrl`, and again at connect time).
 */
export function parseTargetUrl(
  raw: string,
  allow: EgressAllowlist = EMPTY_ALLOWLIST,
  ports: EgressPorts = DEFAULT_PORTS,
): TargetUrlResult {
  const input = trimUrlInput(raw);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return fail('egress_invalid_url', `"${clip(raw)}" is not a valid absolute URL`);
  }
  if (!SCHEMES.includes(url.protocol)) {
    return fail('egress_scheme_not_allowed', `scheme "${url.protocol}" is not allowed; use http: or https:`);
  }
  const authority = rawAuthority(input);
  if (authority === undefined) {
    // Only reachable with tabs or newlines inside the scheme, which the URL parser silently drops.
    return fail('egress_invalid_url', `"${clip(raw)}" does not spell its scheme and host plainly`);
  }
  // An empty userinfo (`http://@host`) is refused too: `@` in an authority only ever serves to confuse
  // parsers.
  if (url.username !== '' || url.password !== '' || authority.includes('@')) {
    return fail('egress_userinfo_not_allowed', 'URLs with credentials (user:password@) are not allowed');
  }
  const written = rawHost(authority).toLowerCase();
  if (isNonCanonicalIPv4(url.hostname, written)) {
    return fail(
      'egress_noncanonical_ip',
      `host "${clip(written)}" is a non-canonical spelling of ${url.hostname}; write it as ${url.hostname}`,
    );
  }
  const port = checkPort(effectivePort(url), ports);
  if (!port.ok) return port;
  const bare = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(bare) === 0) return { ok: true, url, host: { kind: 'name', name: bare } };
  const verdict = checkAddress(bare, allow);
  if (!verdict.ok) return verdict;
  return { ok: true, url, host: { kind: 'ip', address: bare } };
}

/** The port a connection to the URL uses: the written one, else the scheme's default (URL Standard). */
export function effectivePort(url: URL): number {
  return url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
}

/** Keeps operator-facing details short when the input is huge or hostile. */
function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
