import { hmacSha256 } from '../../platform/crypto/index.ts';

/**
 * The pure rules of `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header-07, ADR 0026): what a key may
 * look like, what makes two requests "the same request", and which answers are kept for replay.
 */

/** The header as the draft defines it (§2: an sf-string) or as most clients send it (a bare token). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Marks a response that is the stored answer to an earlier request with the same key (as Stripe does). */
export const REPLAYED_HEADER = 'idempotent-replayed';

export const KEY_MAX_LENGTH = 255;
const KEY_CHARS = /^[A-Za-z0-9._~:+/=-]+$/;

export type ParsedKey = { ok: true; key: string } | { ok: false; detail: string };

/**
 * Accepts `Idempotency-Key: 8e03978e-...` and the draft's quoted form `Idempotency-Key: "8e03978e-..."`. The
 * characters are those of UUIDs, ULIDs, base64 and base64url, hex, and readable names (`order-42:retry`):
 * nothing to escape in logs, SQL or headers. A repeated header arrives joined with ", " and is refused too.
 */
export function parseIdempotencyKey(raw: string | string[] | undefined): ParsedKey | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) return { ok: false, detail: 'Send Idempotency-Key once.' };
  const quoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"');
  const key = quoted ? raw.slice(1, -1) : raw;
  if (key.length === 0 || key.length > KEY_MAX_LENGTH || !KEY_CHARS.test(key)) {
    return {
      ok: false,
      detail:
        `Idempotency-Key must be 1 to ${KEY_MAX_LENGTH} characters of A-Z a-z 0-9 - _ . ~ : + / = ` +
        '(optionally in double quotes), sent once; a UUID is a good key.',
    };
  }
  return { ok: true, key };
}

/** JSON with object members sorted by key (RFC 8785 for the JSON data a validated body holds). */
function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
  return `{${members.join(',')}}`;
}

/**
 * What makes a retry "the same request" (draft §2.4): method, path with query, and the parsed body, members in
 * any order. Keyed (HMAC) so that a stored fingerprint cannot be used to guess a secret the body carried.
 */
export function requestFingerprint(key: Buffer, req: { method: string; url: string; body: unknown }): Buffer {
  return hmacSha256(key, `${req.method}\n${req.url}\n${canonicalJson(req.body)}`);
}

/**
 * Which answers are kept for replay. 5xx: never (the failure may be ours and passing; a retry runs again).
 * 4xx: kept, as Stripe keeps them (the request ran and changed nothing; the same request gets the same
 * answer; a new attempt after fixing the cause takes a new key). Except an answer that itself says "retry
 * later" (429, or any `Retry-After`): replaying it would contradict it.
 */
export function isStorable(status: number, headers: Readonly<Record<string, unknown>>): boolean {
  return status < 500 && status !== 429 && headers['retry-after'] === undefined;
}

/**
 * The headers that are part of the answer (`cache-control: no-store` keeps a replayed secret out of caches too);
 * the rest (rate limits, request id, dates) belong to each response.
 */
const REPLAYED_HEADERS = ['content-type', 'location', 'cache-control', 'etag', 'link'] as const;

export function answerHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of REPLAYED_HEADERS) {
    const v = headers[h];
    if (typeof v === 'string') out[h] = v;
    else if (typeof v === 'number') out[h] = String(v);
  }
  return out;
}
