import { join } from 'node:path';
import { isUuid } from './ids.ts';

/**
 * Story 8.5: the one way to name something kept per org outside a tenant table (a cache entry, a counter in a
 * shared store, an advisory lock, a stored file). The org comes first and every part is escaped, so no part can
 * add a separator: a key or path of one org can never equal, or sit inside, one of another org (ADR 0018).
 */
export function orgScopedKey(orgId: string, ...parts: readonly (string | number)[]): string {
  return ['org', checkedOrg(orgId), ...parts.map((p) => encodeURIComponent(String(p)))].join(':');
}

/** `<root>/orgs/<orgId>/<part>/...`: each part one segment, never `.`, `..` or empty, never a separator. */
export function orgScopedPath(root: string, orgId: string, ...parts: readonly string[]): string {
  const segments = parts.map((p) => {
    if (p === '' || p === '.' || p === '..') throw new Error(`orgScopedPath: "${p}" is not a path segment`);
    return encodeURIComponent(p);
  });
  return join(root, 'orgs', checkedOrg(orgId), ...segments);
}

function checkedOrg(orgId: string): string {
  // A caller bug, never input: org ids come from the principal, not from a request.
  if (!isUuid(orgId)) throw new Error(`not an org id: ${JSON.stringify(orgId).slice(0, 60)}`);
  return orgId.toLowerCase();
}
