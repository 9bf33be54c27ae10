import type { Clock } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import { actorOf, type Principal } from '../identity/index.ts';
import type { GatewayCallRecord } from './gateway-call.ts';

/**
 * A tool's invocation class, from its own annotations (MCP `ToolAnnotations`; issue 11 point 8): `read` when it
 * says `readOnlyHint: true`, `destructive` when it says `destructiveHint: true`, otherwise `write`. The hints
 * are the server's claims, not guarantees: the class decides what is audited and is reported with each call;
 * it never lets a call through that policy would refuse. (Overridable per tool later, ADR 0040.)
 */
export type InvocationClass = 'read' | 'write' | 'destructive';

export function invocationClassOf(annotations: unknown): InvocationClass {
  const a =
    typeof annotations === 'object' && annotations !== null ? (annotations as Record<string, unknown>) : {};
  if (a.readOnlyHint === true) return 'read';
  if (a.destructiveHint === true) return 'destructive';
  return 'write';
}

export interface AuditedCall {
  readonly principal: Principal;
  readonly endpoint: string;
  readonly serverId: string;
  readonly serverName: string;
  readonly tool: string;
  readonly invocationClass: InvocationClass;
  readonly outcome: GatewayCallRecord['outcome'];
  readonly decisionId?: string | undefined;
  readonly reason?: string | undefined;
}

/**
 * Which calls leave an audit event: every policy denial and every destructive call. A call refused by a rate
 * limit or the budget does not: it is counted (usage record, RateLimit state) but a caller flooding past its
 * limit must not turn each refused request into a database write.
 */
export const isAudited = (c: Pick<AuditedCall, 'outcome' | 'invocationClass'>): boolean =>
  c.outcome === 'denied' || c.invocationClass === 'destructive';

/**
 * Audit events of gateway calls (`gateway.call_denied`, `gateway.destructive_call`).
 * The audit module writes inside a transaction (`recordChange`: the event and its outbox row together) and has
 * no batching writer, so each event is its own short transaction, awaited before the caller is answered: an
 * answered destructive call has its record. Only audited calls pay for it; a read-only allowed call writes
 * nothing.
 */
export function createCallAudit(deps: { db: Db; clock: Clock }) {
  return async function audit(c: AuditedCall): Promise<void> {
    const action = c.outcome === 'denied' ? 'gateway.call_denied' : 'gateway.destructive_call';
    await withTenant(deps.db, c.principal.orgId, (tx) =>
      recordChange(
        tx,
        actorOf(c.principal),
        {
          action,
          target: { type: 'tool', id: `${c.serverId}/${c.tool}` },
          data: {
            endpoint: c.endpoint,
            server: { id: c.serverId, name: c.serverName },
            tool: c.tool,
            invocationClass: c.invocationClass,
            outcome: c.outcome,
            ...(c.decisionId === undefined ? {} : { decisionId: c.decisionId }),
            ...(c.reason === undefined ? {} : { reason: c.reason }),
          },
        },
        deps.clock,
      ),
    );
  };
}
