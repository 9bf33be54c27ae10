import type { Actor, Clock } from '../../kernel/index.ts';
import { systemClock, uuidv7 } from '../../kernel/index.ts';
import type { Tx } from '../../platform/db/index.ts';
import { notify } from '../../platform/db/index.ts';
import { insertAuditEvent, insertOutboxEvent } from './audit.repo.ts';

/**
 * The LISTEN/NOTIFY channel on which every committed outbox event is announced as `<org id> <topic>`: a process
 * that serves something derived from changes (the MCP gateway's catalogues and its `list_changed` streams, ADR
 * 0047) learns of them at commit, from whichever process made them, without polling the outbox.
 */
export const OUTBOX_CHANNEL = 'sc_outbox_event';

export interface Change {
  /** Dotted verb, e.g. `server.registered`; also the outbox topic. */
  action: string;
  target: { type: string; id: string };
  data?: Record<string, unknown>;
}

/**
 * Every state change calls this inside the transaction that makes the change, so the audit record and the
 * outbox event commit or roll back with it: no change without its record, no event for a change that failed.
 */
export async function recordChange(
  tx: Tx,
  actor: Actor,
  change: Change,
  clock: Clock = systemClock,
): Promise<void> {
  const now = clock.now();
  const data = change.data ?? {};
  await insertAuditEvent(tx, {
    orgId: actor.orgId,
    id: uuidv7(now.getTime()),
    actorType: actor.type,
    actorId: actor.id,
    action: change.action,
    targetType: change.target.type,
    targetId: change.target.id,
    requestId: actor.requestId ?? null,
    data,
    occurredAt: now,
  });
  await insertOutboxEvent(tx, {
    orgId: actor.orgId,
    id: uuidv7(now.getTime()),
    topic: change.action,
    payload: {
      target: change.target,
      actor: { type: actor.type, id: actor.id },
      data,
      occurredAt: now.toISOString(),
    },
    createdAt: now,
  });
  // Delivered at commit only, never for a rolled-back change (platform/db/notify.ts).
  await notify(tx, OUTBOX_CHANNEL, `${actor.orgId} ${change.action}`);
}
