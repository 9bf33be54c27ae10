import type { FieldError } from '../kernel/index.ts';

/**
 * String hygiene for every request (issue 8, point 6). Postgres text cannot hold NUL (U+0000) and its UTF-8
 * encoder refuses a lone surrogate: either used to reach the database and fail there as a 500. JSON can carry
 * both as escapes (`\u0000`, `\ud800`), a query or path as `%00`. These are checked once, for every route,
 * before schema validation, so a route added tomorrow is covered without opting in (fail closed).
 */

type Location = NonNullable<FieldError['location']>;

/** RFC 6901 §3: `~` and `/` inside a reference token are escaped. */
const token = (key: string | number): string => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

function problemOf(s: string): string | undefined {
  if (s.includes('\0')) return 'must not contain a NUL character (U+0000)';
  if (!s.isWellFormed()) return 'must be well-formed Unicode (no lone surrogate)';
  return undefined;
}

/**
 * Every string, and every object key, in a parsed body, query, path or header set that the database could not
 * store. Iterative, so a deeply nested body cannot exhaust the stack.
 */
export function badStrings(value: unknown, location: Location): FieldError[] {
  const found: FieldError[] = [];
  const stack: { v: unknown; pointer: string }[] = [{ v: value, pointer: '' }];
  while (stack.length > 0) {
    const { v, pointer } = stack.pop()!;
    if (typeof v === 'string') {
      const detail = problemOf(v);
      if (detail !== undefined) found.push({ location, pointer: pointer === '' ? '/' : pointer, detail });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => {
        stack.push({ v: x, pointer: `${pointer}/${i}` });
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const at = `${pointer}/${token(k)}`;
        const detail = problemOf(k);
        if (detail !== undefined) found.push({ location, pointer: at, detail: `name ${detail}` });
        stack.push({ v: x, pointer: at });
      }
    }
  }
  return found.sort((a, b) => (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as UTF-8, or undefined when they are not valid UTF-8 (RFC 3629), never U+FFFD in their place. */
export function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Why a request target cannot be read, or undefined when it can: only printable ASCII, every `%` starts a
 * two-digit hex escape, and what the escapes decode to is UTF-8 (RFC 3986 §2.1, §2.5). Without this check the
 * query parser keeps a broken escape as literal text or turns it into U+FFFD, and that text is then stored;
 * the router catches the same in a path parameter, but not in the rest of the path or in the query.
 */
export function urlProblem(url: string): string | undefined {
  // Node's HTTP/1.1 parser already refuses raw bytes outside ASCII (client-error.ts); checked again for any
  // other way a request arrives (light-my-request, a future HTTP/2 listener).
  if (/[^\x21-\x7e]/.test(url)) return 'The URL has a character that is not percent-encoded.';
  for (const part of url.split(/[/?&;=]/)) {
    if (!part.includes('%')) continue;
    if (/%(?![0-9A-Fa-f]{2})/.test(part)) return 'The URL has a malformed percent-escape.';
    const bytes = Buffer.from(
      part.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      'latin1',
    );
    if (strictUtf8(bytes) === undefined) return 'The URL decodes to bytes that are not UTF-8.';
  }
  return undefined;
}
