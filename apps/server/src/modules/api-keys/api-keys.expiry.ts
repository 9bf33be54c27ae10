import type { Clock } from '../../kernel/index.ts';
import { systemClock } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import { displayPrefix } from './api-key-token.ts';
import { findExpiringApiKeys, markExpiryNotified } from './api-keys.repo.ts';

/** How far ahead a key's expiry is announced (story 1.2: "when the key has 7 days remaining"). */
export const EXPIRY_NOTICE_DAYS = 7;
/** The scheduled job's name: the pg-boss queue and `POST /api/cron/api-key-expiry`. */
export const API_KEY_EXPIRY_JOB = 'api-key-expiry';

/**
 * Finds keys expiring within 7 days and records one `api_key.expiring` event per key (audit + outbox, from the
 * system actor) for the notifications module to mail. Once per key: the mark and the event commit together,
 * and the mark is a conditional update, so a rerun, a retry or two schedulers at once announce nothing twice.
 */
export async function announceExpiringKeys(
  db: Db,
  clock: Clock = systemClock,
): Promise<{ notified: number }> {
  const now = clock.now();
  const until = new Date(now.getTime() + EXPIRY_NOTICE_DAYS * 86_400_000);
  const due = await findExpiringApiKeys(db, now, until);
  const byOrg = new Map<string, string[]>();
  for (const k of due) byOrg.set(k.org_id, [...(byOrg.get(k.org_id) ?? []), k.id]);
  let notified = 0;
  for (const [orgId, ids] of byOrg) {
    notified += await withTenant(db, orgId, async (tx) => {
      const marked = await markExpiryNotified(tx, orgId, ids, now, until);
      const actor = { type: 'system', id: 'scheduler', orgId } as const;
      for (const k of marked) {
        await recordChange(
          tx,
          actor,
          {
            action: 'api_key.expiring',
            target: { type: 'api_key', id: k.id },
            data: {
              name: k.name,
              prefix: displayPrefix(k.prefix),
              expiresAt: k.expires_at?.toISOString() ?? null,
              createdBy: k.created_by,
              daysLeft: Math.max(0, Math.ceil(((k.expires_at?.getTime() ?? 0) - now.getTime()) / 86_400_000)),
            },
          },
          clock,
        );
      }
      return marked.length;
    });
  }
  return { notified };
}
