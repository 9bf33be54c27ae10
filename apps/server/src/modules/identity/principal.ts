/** The one typed caller every request resolves to (users and OAuth clients join with the identity issue). */
export interface Principal {
  readonly kind: 'api_key';
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  readonly scopes: readonly string[];
}

import type { Actor } from '../../kernel/index.ts';

export const actorOf = (p: Principal, requestId?: string): Actor => ({
  type: p.kind,
  id: p.id,
  orgId: p.orgId,
  requestId,
});
