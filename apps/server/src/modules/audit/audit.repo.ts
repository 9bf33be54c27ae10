import type { Queries } from '../../platform/db/index.ts';
import type { AuditTables } from './audit.schema.ts';

type Q = Queries<AuditTables>;

export interface AuditRow {
  orgId: string;
  id: string;
  actorType: string;
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  requestId: string | null;
  data: Record<string, unknown>;
  occurredAt: Date;
}

export async function insertAuditEvent(tx: Q, e: AuditRow): Promise<void> {
  await tx
    .insertInto('audit_events')
    .values({
      org_id: e.orgId,
      id: e.id,
      actor_type: e.actorType,
      actor_id: e.actorId,
      action: e.action,
      target_type: e.targetType,
      target_id: e.targetId,
      request_id: e.requestId,
      data: JSON.stringify(e.data),
      occurred_at: e.occurredAt,
    })
    .execute();
}

export async function insertOutboxEvent(
  tx: Q,
  e: { orgId: string; id: string; topic: string; payload: Record<string, unknown>; createdAt: Date },
): Promise<void> {
  await tx
    .insertInto('outbox_events')
    .values({
      org_id: e.orgId,
      id: e.id,
      topic: e.topic,
      payload: JSON.stringify(e.payload),
      created_at: e.createdAt,
    })
    .execute();
}

export async function listAuditEvents(tx: Q, orgId: string, limit: number) {
  return tx
    .selectFrom('audit_events')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
