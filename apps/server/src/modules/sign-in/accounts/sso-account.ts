import type { Actor, Clock } from '../../../kernel/index.ts';
import { uuidv7 } from '../../../kernel/index.ts';
import type { Tx } from '../../../platform/db/index.ts';
import { recordChange } from '../../audit/index.ts';
import { announceAccessChange, accounts as repo } from '../../rbac/index.ts';
import { SignInError } from '../sign-in.errors.ts';
import { voidOpenInvitations } from './invitations.repo.ts';

/** What the provider told us about the person (ID token claims, completed from userinfo). */
export interface IdpIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly email: string;
  readonly emailVerified: boolean | undefined;
  readonly name: string;
}

/**
 * Finds or creates the user a provider identity signs in as, and keeps the profile (name, email) in step with
 * the provider. The identity is (issuer, subject): an email can be reassigned at the provider, a subject cannot
 * (OIDC Core §5.7). An existing user with the same email is linked only when the provider vouches for the
 * address (email_verified) and the user is not linked to another identity already; otherwise anyone who could
 * create an account with that email at the provider could take the user over. New users get no role: an admin
 * grants access (least privilege).
 */
export async function upsertSsoAccount(
  tx: Tx,
  orgId: string,
  who: IdpIdentity,
  deps: { clock: Clock; requestId?: string | undefined },
): Promise<{ account: repo.AccountRow; created: boolean }> {
  const now = deps.clock.now();
  const email = who.email.toLowerCase();
  const name = who.name.slice(0, 200);
  const actor = (id: string): Actor => ({ type: 'user', id, orgId, requestId: deps.requestId });

  const known = await repo.findAccountByIdp(tx, orgId, who.issuer, who.subject);
  if (known !== undefined) {
    assertActive(known);
    const sameEmailUser = email === known.email ? undefined : await repo.findAccountByEmail(tx, orgId, email);
    // A new email that another user already has stays unapplied rather than failing the sign-in.
    const keepEmail = sameEmailUser !== undefined ? known.email : email;
    if (keepEmail !== known.email || name !== known.name) {
      await repo.updateFromIdp(tx, {
        orgId,
        id: known.id,
        email: keepEmail,
        name,
        issuer: who.issuer,
        subject: who.subject,
        now,
      });
      await recordChange(
        tx,
        actor(known.id),
        {
          action: 'user.profile_synced',
          target: { type: 'user', id: known.id },
          data: { email: keepEmail, name },
        },
        deps.clock,
      );
    }
    return { account: { ...known, email: keepEmail, name }, created: false };
  }

  const byEmail = await repo.findAccountByEmail(tx, orgId, email);
  if (byEmail !== undefined) {
    if (byEmail.status !== 'invited') assertActive(byEmail);
    if (byEmail.idp_subject !== null) {
      throw new SignInError(
        'sso_denied',
        `The user ${email} is already linked to another identity at the provider; ask an admin to check it.`,
      );
    }
    if (who.emailVerified !== true) {
      throw new SignInError(
        'sso_denied',
        `The provider did not confirm that ${email} is verified, so it cannot be linked to the existing user.`,
      );
    }
    await repo.updateFromIdp(tx, {
      orgId,
      id: byEmail.id,
      email,
      name,
      issuer: who.issuer,
      subject: who.subject,
      now,
    });
    await recordChange(
      tx,
      actor(byEmail.id),
      {
        action: 'user.linked_to_idp',
        target: { type: 'user', id: byEmail.id },
        data: { issuer: who.issuer, email },
      },
      deps.clock,
    );
    // An invited person who signs in through the org's provider with the invited address, verified by it,
    // has proved what the invitation link would prove (control of that mailbox): the invitation is accepted
    // (ADR 0038), and the link stops working.
    if (byEmail.status === 'invited') {
      await repo.activateInvitedBySso(tx, orgId, byEmail.id, now);
      const voided = await voidOpenInvitations(tx, orgId, byEmail.id, now);
      await recordChange(
        tx,
        actor(byEmail.id),
        {
          action: 'user.invitation_accepted',
          target: { type: 'user', id: byEmail.id },
          data: { method: 'sso', issuer: who.issuer, voidedLinks: voided },
        },
        deps.clock,
      );
      await announceAccessChange(tx, orgId);
    }
    return {
      account: { ...byEmail, name, status: 'active', idp_issuer: who.issuer, idp_subject: who.subject },
      created: false,
    };
  }

  const id = uuidv7(now.getTime());
  await repo.insertAccount(tx, {
    orgId,
    id,
    email,
    name,
    idpIssuer: who.issuer,
    idpSubject: who.subject,
    passwordHash: null,
    now,
  });
  await recordChange(
    tx,
    actor(id),
    {
      action: 'user.created',
      target: { type: 'user', id },
      data: { email, name, source: 'sso', issuer: who.issuer },
    },
    deps.clock,
  );
  const account = await repo.findAccountById(tx, orgId, id);
  return { account: account!, created: true };
}

function assertActive(a: repo.AccountRow): void {
  if (a.status !== 'active') {
    throw new SignInError(
      'sso_denied',
      `The user ${a.email} is deactivated in this organization; ask an admin.`,
    );
  }
}
