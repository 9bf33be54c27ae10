import type { ServerView } from './server-view.ts';

/**
 * Redaction obligations on server views (issue 4, point 1): a policy annotated `@obligation_redact("url,tags")`
 * that permits the caller makes those fields null in every server view the caller gets, and names them in
 * `redacted`. Only these fields can be withheld (policies naming others are refused when saved, 422
 * policy_invalid): the id, name, environment, status and links stay, so the caller can still refer to the server.
 */
export const REDACTABLE_SERVER_FIELDS = ['url', 'description', 'tags', 'auth', 'lastError'] as const;

type Redactable = (typeof REDACTABLE_SERVER_FIELDS)[number];

export type RedactedServerView = Omit<ServerView, Redactable> & {
  url: string | null;
  description: string | null;
  tags: string[] | null;
  auth: ServerView['auth'] | null;
  lastError: ServerView['lastError'];
  redacted?: string[];
};

const isRedactable = (f: string): f is Redactable =>
  (REDACTABLE_SERVER_FIELDS as readonly string[]).includes(f);

/** The view with the obligation's fields set to null; unchanged (no `redacted`) when nothing applies. */
export function redactServer<T extends ServerView>(
  view: T,
  obligations: { readonly redact: readonly string[] } | undefined,
): T | (RedactedServerView & Omit<T, keyof ServerView>) {
  const fields = [...new Set((obligations?.redact ?? []).filter(isRedactable))].sort();
  if (fields.length === 0) return view;
  const out: Record<string, unknown> = { ...view };
  for (const f of fields) out[f] = null;
  out.redacted = fields;
  return out as RedactedServerView & Omit<T, keyof ServerView>;
}
