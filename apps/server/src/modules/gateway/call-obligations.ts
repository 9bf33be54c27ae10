import { AppError } from '../../kernel/index.ts';
import type { Action, Authorizer, Decision, Obligations } from '../authz/index.ts';
import type { Answer } from './dispatch.ts';
import { RPC, type RpcError } from './jsonrpc.ts';

/**
 * The obligations of the policies that allowed a gateway call (issue 11 point 4, ADR 0048), applied as /v1
 * applies them: `@obligation_throttle("class")` spends one request of the rate class the policy holds the caller
 * to (the same shared per-caller counter /v1 uses), and `@obligation_redact("result.<field>")` masks every
 * property of that name in what the upstream returned (its `structuredContent` and the JSON in its text
 * content), set to `null` like a redacted field of a server view, the names listed in `_meta[REDACTED_META]`.
 */
export const RESULT_FIELD_PREFIX = 'result.';
export const REDACTED_META = 'dev.sprintconnect/redacted';

type Allowed = Extract<Decision, { allowed: true }>;

/** The JSON-RPC error of a throttle obligation the caller is over, or undefined when the call may go on. */
export function throttleRefusal(authz: Authorizer, action: Action, d: Allowed): RpcError | undefined {
  try {
    authz.applyThrottle(action, d);
    return undefined;
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'rate_limited') throw e;
    const retryAfterSeconds = e.retryAfterSeconds ?? 1;
    return {
      code: RPC.rateLimited,
      message: e.message,
      data: {
        code: 'rate_limited',
        retryAfterSeconds,
        rateClass: d.obligations.throttle,
        decisionId: d.decisionId,
      },
    };
  }
}

/** The result fields a decision's redaction obligations name (`result.<field>`); server-view fields are not ours. */
export const resultFieldsOf = (o: Obligations): readonly string[] => [
  ...new Set(
    o.redact
      .filter((f) => f.startsWith(RESULT_FIELD_PREFIX) && f.length > RESULT_FIELD_PREFIX.length)
      .map((f) => f.slice(RESULT_FIELD_PREFIX.length)),
  ),
];

/** Masks the named properties at any depth; records which it found. */
function mask(v: unknown, fields: ReadonlySet<string>, found: Set<string>): unknown {
  if (Array.isArray(v)) return v.map((x) => mask(x, fields, found));
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (fields.has(k)) {
      out[k] = null;
      found.add(k);
    } else {
      out[k] = mask(x, fields, found);
    }
  }
  return out;
}

/** A text item whose text is a JSON object or array, masked and written back; any other text is left as is. */
function maskTextItem(item: unknown, fields: ReadonlySet<string>, found: Set<string>): unknown {
  if (typeof item !== 'object' || item === null) return item;
  const text = (item as { text?: unknown }).text;
  if (typeof text !== 'string' || !/^\s*[[{]/.test(text)) return item;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return item;
  }
  if (!hasAny(parsed, fields)) return item;
  const masked = mask(parsed, fields, found);
  return { ...item, text: JSON.stringify(masked, null, text.includes('\n') ? 2 : undefined) };
}

const hasAny = (v: unknown, fields: ReadonlySet<string>): boolean =>
  Array.isArray(v)
    ? v.some((x) => hasAny(x, fields))
    : typeof v === 'object' && v !== null
      ? Object.entries(v).some(([k, x]) => fields.has(k) || hasAny(x, fields))
      : false;

/**
 * A `tools/call`, `resources/read` or `prompts/get` result with the named fields masked: `structuredContent`,
 * the text of `content` items (tools), `contents` items (resources) and `messages[].content` (prompts) when it
 * is JSON. Text that is not JSON is relayed as is (a field name means nothing in prose).
 */
export function redactResult(result: unknown, fields: readonly string[]): unknown {
  if (fields.length === 0 || typeof result !== 'object' || result === null) return result;
  const names = new Set(fields);
  const found = new Set<string>();
  const r = { ...(result as Record<string, unknown>) };
  if (r.structuredContent !== undefined) r.structuredContent = mask(r.structuredContent, names, found);
  for (const key of ['content', 'contents'] as const) {
    const items = r[key];
    if (Array.isArray(items)) r[key] = items.map((i) => maskTextItem(i, names, found));
  }
  if (Array.isArray(r.messages)) {
    r.messages = r.messages.map((m: unknown) =>
      typeof m === 'object' && m !== null && 'content' in m
        ? { ...m, content: maskTextItem((m as { content: unknown }).content, names, found) }
        : m,
    );
  }
  if (found.size === 0) return result;
  const meta = typeof r._meta === 'object' && r._meta !== null ? (r._meta as Record<string, unknown>) : {};
  r._meta = { ...meta, [REDACTED_META]: [...found].sort() };
  return r;
}

/** The caller's answer with the decision's result redactions applied (errors pass as they are). */
export function withRedactions(answer: Answer, o: Obligations): Answer {
  const fields = resultFieldsOf(o);
  return fields.length > 0 && 'result' in answer ? { result: redactResult(answer.result, fields) } : answer;
}
