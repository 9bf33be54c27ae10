/**
 * Query strings in logs (issue 8, point 4). A credential sent in a URL (`?api_key=`, `?access_token=`, OAuth's
 * `?code=` and `?state=`) is refused by the API but used to land in the access log in full. Redaction is by
 * allowlist, so a parameter nobody thought of (`id_token_hint`, `client_assertion`, a provider's own) is hidden
 * by default: only the list filters below keep their value, and even theirs is hidden when it looks like a
 * credential. Parameter names stay, so a log still shows what the caller sent.
 */
const LOGGABLE: ReadonlySet<string> = new Set([
  'limit',
  'cursor',
  'environment',
  'status',
  'transport',
  'tags',
  'role',
  'org',
  'from',
  'to',
  'explain',
  'client_id',
  'response_type',
  'scope',
  'prompt',
  // `text/plain;charset=utf-8` in a message is a media type parameter, not a matrix parameter of a path.
  'charset',
]);

export const REDACTED = '[redacted]';

/** An API key (`sck_<prefix>_<secret>`, ADR 0003) or a JWT (three base64url parts, `eyJ` = `{"`). */
const API_KEY = /\bsck_([a-z2-7]{12})_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;
const JWT = /\beyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
const CREDENTIAL_SHAPED = /sck_|eyJ[A-Za-z0-9_-]*\.eyJ|bearer|basic /i;

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).trim().toLowerCase();
  } catch {
    return '';
  }
}

function decodedValue(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** The query part (after `?`, without it) with every value hidden except allowlisted, harmless ones. */
export function redactQuery(query: string): string {
  return query
    .split(/([&;])/)
    .map((part, i) => {
      if (i % 2 === 1 || part === '') return part;
      const eq = part.indexOf('=');
      if (eq === -1) return LOGGABLE.has(decodedName(part)) ? part : REDACTED;
      const name = part.slice(0, eq);
      const value = part.slice(eq + 1);
      const keep =
        LOGGABLE.has(decodedName(name)) && !CREDENTIAL_SHAPED.test(decodedValue(value)) && value !== '';
      return keep || value === '' ? part : `${name}=${REDACTED}`;
    })
    .join('');
}

/**
 * Parameters after `;` in a path segment (RFC 3986 §3.3 sub-delims, "matrix parameters": `/v1/me;api_key=…`).
 * No route of ours reads them, but a client can put a credential there and the access log used to keep it in
 * full (attack of issue 8's fixes, M1): they are redacted like a query.
 */
const redactPathParams = (path: string): string =>
  path.replace(/;([^/]*)/g, (_m, params: string) => `;${redactQuery(params)}`);

/** A request target (`/path;params?query`) as it may be logged. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return redactPathParams(url);
  return `${redactPathParams(url.slice(0, q))}?${redactQuery(url.slice(q + 1))}`;
}

/**
 * The last line of defence, run on every serialized log line (pino `hooks.streamWrite`): any query string in
 * any field or message (an error quoting a URL, a library's own text) goes through `redactQuery`, so do the
 * `;` parameters of a path, and API keys
 * and JWTs are hidden wherever they appear. A query runs to whitespace or the end of the JSON string; JSON
 * escapes (`\"`) stay inside it so an escaped quote cannot end it early.
 */
export function scrubLogLine(line: string): string {
  return line
    .replace(
      /(\/[^\s"\\?;/]*);((?:[^\s"\\?/]|\\.)*)/g,
      (_m, seg: string, p: string) => `${seg};${redactQuery(p)}`,
    )
    .replace(/\?((?:[^\s"\\?]|\\.)*)/g, (_m, q: string) => `?${redactQuery(q)}`)
    .replace(API_KEY, (_m, prefix: string) => `sck_${prefix}_${REDACTED}`)
    .replace(JWT, REDACTED);
}
