import { sql } from 'kysely';
import type { Db, Queries } from '../../../platform/db/index.ts';
import type { SignInInvitationsTables } from './invitations.schema.ts';

type Q = Queries<SignInInvitationsTables>;

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
  tx: Q,
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
  await tx
    .insertInto('user_invitations')
    .values({
      org_id: i.orgId,
      id: i.id,
      user_id: i.userId,
      token_hash: i.tokenHash,
      created_at: i.createdAt,
      created_by: i.createdBy,
      expires_at: i.expiresAt,
    })
    .execute();
}

/** Ends every open invitation of the user (a newer one replaces them, or the user was deactivated). */
export async function voidOpenInvitations(tx: Q, orgId: string, userId: string, now: Date): Promise<number> {
  const r = await tx
    .updateTable('user_invitations')
    .set({ voided_at: now })
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('accepted_at', 'is', null)
    .where('voided_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Uses the invitation once; false when another request used or voided it first (the row decides). */
export async function markAccepted(tx: Q, orgId: string, id: string, now: Date): Promise<boolean> {
  const r = await tx
    .updateTable('user_invitations')
    .set({ accepted_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('voided_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
