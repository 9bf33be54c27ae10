import { isIPv4 } from 'node:net';

/**
 * The WHATWG URL parser (URL Standard §3.5, "IPv4 parser") accepts 0x7f.1, 0177.0.0.1, 127.1, 2130706433 and
 * percent-encoded digits as IPv4 addresses and serializes them all as 127.0.0.1. Other parsers (getaddrinfo's
 * inet_aton, older libraries, humans reading logs) disagree on some of these forms, and such spellings are a
 * classic way to slip past string-based filters, so egress refuses any IPv4 host not written canonically.
 * That needs the host as written, before `new URL()` canonicalizes it.
 */

/** Strips leading and trailing C0 controls and spaces, as the URL parser does (URL Standard §4.4 step 1). */
export function trimUrlInput(raw: string): string {
  let start = 0;
  let end = raw.length;
  while (start < end && raw.charCodeAt(start) <= 0x20) start++;
  while (end > start && raw.charCodeAt(end - 1) <= 0x20) end--;
  return raw.slice(start, end);
}

/**
 * The authority of a special-scheme URL as written: after `scheme:` and any run of `/` or `\` (both are
 * separators for http and https), up to the first `/`, `\`, `?` or `#`. Undefined when the input has no
 * recognizable scheme prefix.
 */
export function rawAuthority(trimmed: string): string | undefined {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:[/\\]*([^/\\?#]*)/.exec(trimmed)?.[1];
}

/** The host as written: after the last `@`, before a port; brackets kept for IPv6. */
export function rawHost(authority: string): string {
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    return end === -1 ? hostPort : hostPort.slice(0, end + 1);
  }
  const colon = hostPort.indexOf(':');
  return colon === -1 ? hostPort : hostPort.slice(0, colon);
}

/**
 * True when the parsed host is an IPv4 address that was not written exactly as its dotted-quad serialization
 * (decimal, hex, octal, short form, leading zeros, trailing dot, percent-encoding, full-width digits, ...).
 */
export function isNonCanonicalIPv4(parsedHostname: string, writtenHost: string | undefined): boolean {
  if (!isIPv4(parsedHostname)) return false;
  return writtenHost !== parsedHostname;
}
