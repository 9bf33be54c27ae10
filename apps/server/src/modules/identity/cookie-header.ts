/** The cookies of a request (RFC 6265 §5.4); the first of duplicate names wins, as browsers send most specific first. */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (name !== '' && !Object.hasOwn(out, name)) out[name] = part.slice(i + 1).trim();
  }
  return out;
}
