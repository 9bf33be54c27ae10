/**
 * The JSON Canonicalization Scheme (JCS, RFC 8785): the one byte string a JSON value hashes to, whatever the
 * member order, whitespace or number spelling it was written with. The policy hash of a manifest is SHA-256
 * over this form of its signed payload (ADR 0015), so anyone can recompute it with any RFC 8785 library.
 *
 * - Objects: members sorted by their names as UTF-16 code-unit sequences (§3.2.3), which is what
 *   `Array.prototype.sort` does with strings; no whitespace.
 * - Strings: ECMAScript `JSON.stringify` escaping (§3.2.2.2): `\b \t \n \f \r \" \\`, other controls as
 *   lower-case `\u00xx`, everything else literal.
 * - Numbers: ECMAScript `Number.prototype.toString` (§3.2.2.3), which `JSON.stringify` uses; `-0` is `0`.
 * - Input must be I-JSON (RFC 7493): a non-finite number or a string with a lone surrogate is refused rather
 *   than silently changed, so two different payloads can never share a hash.
 */
import { createHash } from 'node:crypto';

export class NotCanonicalizable extends Error {
  readonly path: string;
  constructor(path: string, detail: string) {
    super(`${path || '/'}: ${detail}`);
    this.name = 'NotCanonicalizable';
    this.path = path;
  }
}

const escapePointer = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

function str(s: string, path: string): string {
  if (!s.isWellFormed()) throw new NotCanonicalizable(path, 'a string holds a lone surrogate (not I-JSON)');
  return JSON.stringify(s);
}

function canonical(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return str(value, path);
    case 'number':
      if (!Number.isFinite(value)) throw new NotCanonicalizable(path, 'a number is not finite');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => canonical(v, `${path}/${i}`)).join(',')}]`;
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort()
        .map((k) => `${str(k, path)}:${canonical(record[k], `${path}/${escapePointer(k)}`)}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new NotCanonicalizable(path, `a ${typeof value} is not JSON data`);
  }
}

/** The RFC 8785 canonical form of JSON data; throws NotCanonicalizable for what I-JSON does not allow. */
export function canonicalize(value: unknown): string {
  return canonical(value, '');
}

/** SHA-256 (lower-case hex) of the UTF-8 bytes of the canonical form: the manifest's policy hash. */
export function policyHash(payload: unknown): string {
  return createHash('sha256').update(canonicalize(payload), 'utf8').digest('hex');
}
