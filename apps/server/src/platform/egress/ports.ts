import type { EgressResult } from './errors.ts';
import { fail, PORTS_SETTING } from './errors.ts';

/**
 * The ports outbound calls may use (SPRINTCONNECT_EGRESS_PORTS, issue 8 point 5). Without it, an address the
 * platform allows is reachable on every port, and a tenant can aim discovery at 6379, 5432 or 2375 of an
 * allowlisted host and read which ones are open from the errors. A port outside the list is refused before
 * any connection, on every redirect hop and again in the connector (ADR 0027).
 */
export interface EgressPorts {
  /** Inclusive, sorted, non-overlapping; a single port is [p, p]. */
  readonly ranges: readonly (readonly [number, number])[];
  /** The list as an operator writes it, e.g. `80,443,8000-8999`, for details. */
  readonly text: string;
}

export type PortsParseResult =
  | { readonly ok: true; readonly ports: EgressPorts }
  | { readonly ok: false; readonly errors: readonly string[] };

export const DEFAULT_EGRESS_PORTS = '80,443';

/**
 * The Fetch Standard's "bad port" list (fetch.spec.whatwg.org, "port blocking"): ports of protocols an HTTP
 * request could be smuggled into (SMTP, IRC, X11, SIP, ...). Node's fetch refuses them before connecting, so
 * a URL on one could only ever fail later as a confusing protocol error; egress refuses them up front,
 * whatever SPRINTCONNECT_EGRESS_PORTS says.
 */
export const BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

const ENTRY = /^(\d{1,5})(?:-(\d{1,5}))?$/;
const FIX = `use ports from 1 to 65535 and ranges such as 8000-8999; unset it for ${DEFAULT_EGRESS_PORTS}`;

/** Parses a comma list of ports and ranges, listing every bad entry so an operator fixes them in one pass. */
export function parseEgressPorts(value: string | readonly string[]): PortsParseResult {
  const entries = (typeof value === 'string' ? value.split(',') : value).map((s) => s.trim()).filter(Boolean);
  const errors: string[] = [];
  const ranges: [number, number][] = [];
  for (const entry of entries) {
    const m = ENTRY.exec(entry);
    const lo = Number(m?.[1]);
    const hi = m?.[2] === undefined ? lo : Number(m[2]);
    if (m === null || lo < 1 || hi > 65535 || lo > hi) {
      errors.push(`${PORTS_SETTING}: "${entry}" is neither a port nor a range; ${FIX}`);
    } else if (lo === hi && BAD_PORTS.has(lo)) {
      // Allowing it would change nothing (it is always refused); saying so beats a silent no-op.
      errors.push(
        `${PORTS_SETTING}: ${lo} is a "bad port" in the Fetch Standard, which outbound calls never use; remove it`,
      );
    } else ranges.push([lo, hi]);
  }
  if (errors.length === 0 && ranges.length === 0) {
    errors.push(`${PORTS_SETTING} lists no port; ${FIX}`);
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, ports: normalize(ranges) };
}

function normalize(input: [number, number][]): EgressPorts {
  const sorted = [...input].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  const text = merged.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',');
  return Object.freeze({ ranges: Object.freeze(merged.map((r) => Object.freeze(r))), text });
}

/** Parses a list known to be valid (defaults, tests); throws on a bad one. */
export function egressPorts(value: string): EgressPorts {
  const parsed = parseEgressPorts(value);
  if (!parsed.ok) throw new TypeError(parsed.errors.join('; '));
  return parsed.ports;
}

export const DEFAULT_PORTS: EgressPorts = egressPorts(DEFAULT_EGRESS_PORTS);

/**
 * Judges the port a connection would use (the URL's effective port: 80 or 443 when none is written). A bad
 * port is refused first, so the detail says it cannot be allowed rather than how to allow it.
 */
export function checkPort(port: number, ports: EgressPorts): EgressResult<{ readonly port: number }> {
  // `http://host:0/` parses, but 0 is no port anything listens on; no list can allow it, so none is suggested.
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return fail(
      'egress_port_not_allowed',
      `port ${port} is not a port: outbound calls use ports from 1 to 65535 (${PORTS_SETTING} cannot allow it)`,
    );
  }
  if (BAD_PORTS.has(port)) {
    return fail(
      'egress_bad_port',
      `port ${port} is a "bad port" in the Fetch Standard (port blocking); it is always refused and ` +
        `${PORTS_SETTING} cannot allow it`,
    );
  }
  if (!ports.ranges.some(([lo, hi]) => port >= lo && port <= hi)) {
    return fail(
      'egress_port_not_allowed',
      `port ${port} is not in ${PORTS_SETTING} (${ports.text}); to allow it, add ${port} to ${PORTS_SETTING}`,
    );
  }
  return { ok: true, port };
}
