import { sql } from 'kysely';
import type { Db, Tx } from '../../../platform/db/index.ts';

/** An invitation as its link finds it, before the tenant is known (definer door of migration 023). */
export interface InvitationLookup {
  org_id: string;
  org_slug: string;
  id: string;
  user_id: string;
  expires_at: Date;
  accepted_at: Date | null;
  voided_at: Date | null;
}

export async function findInvitationByHash(db: Db, hash: Buffer): Promise<InvitationLookup | undefined> {
  const { rows } = await sql<InvitationLookup>`SELECT * FROM auth_find_invitation(${hash})`.execute(db);
  return rows[0];
}

export async function insertInvitation(
  tx: Tx,
  i: {
    orgId: string;
    id: string;
    userId: string;
    tokenHash: Buffer;
    createdAt: Date;
    createdBy: string;
    expiresAt: Date;
  },
): Promise<void> {
  await sql`INSERT INTO user_invitations (org_id, id, user_id, token_hash, created_at, created_by, expires_at)
            VALUES (${i.orgId}, ${i.id}, ${i.userId}, ${i.tokenHash}, ${i.createdAt}, ${i.createdBy},
                    ${i.expiresAt})`.execute(tx);
}

/** Ends every open invitation of the user (a newer one replaces them, or the user was deactivated). */
export async function voidOpenInvitations(tx: Tx, orgId: string, userId: string, now: Date): Promise<number> {
  const r = await sql`UPDATE user_invitations SET voided_at = ${now}
                      WHERE org_id = ${orgId} AND user_id = ${userId}
                        AND accepted_at IS NULL AND voided_at IS NULL`.execute(tx);
  return Number(r.numAffectedRows ?? 0);
}

/** Uses the invitation once; false when another request used or voided it first (the row decides). */
export async function markAccepted(tx: Tx, orgId: string, id: string, now: Date): Promise<boolean> {
  const r = await sql`UPDATE user_invitations SET accepted_at = ${now}
                      WHERE org_id = ${orgId} AND id = ${id} AND accepted_at IS NULL AND voided_at IS NULL
                        AND expires_at > ${now}`.execute(tx);
  return Number(r.numAffectedRows ?? 0) > 0;
}
