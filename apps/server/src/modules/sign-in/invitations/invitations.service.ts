import type {
  AcceptInvitationInput,
  InvitedUser,
  InviteUserInput,
  SessionView,
} from '@sprintconnect/contracts';
import type { Actor, Clock } from '../../../kernel/index.ts';
import { uuidv7 } from '../../../kernel/index.ts';
import type { Db, Tx } from '../../../platform/db/index.ts';
import { withTenant } from '../../../platform/db/index.ts';
import { recordChange } from '../../audit/index.ts';
import type { Authorizer } from '../../authz/index.ts';
import { actorOf, assertRecentSignIn } from '../../identity/index.ts';
import type { RbacModule } from '../../rbac/index.ts';
import {
  accounts,
  announceAccessChange,
  isEmailConflict,
  userEmailTaken,
  userNotFound,
} from '../../rbac/index.ts';
import * as repo from '../accounts/invitations.repo.ts';
import { hashPassword } from '../accounts/password.ts';
import type { RequestMeta } from '../accounts/sign-in-audit.ts';
import type { FoundSession, OpenedSession, SessionService } from '../sessions/sessions.service.ts';
import { completeSignIn } from '../sessions/sign-in.ts';
import { SignInError } from '../sign-in.errors.ts';
import { assertUsable, userStatusConflict } from './invitation-errors.ts';
import {
  generateInvitationToken,
  hashInvitationToken,
  looksLikeInvitationToken,
} from './invitation-token.ts';

export interface InvitationPage {
  readonly orgSlug: string;
  readonly email: string;
  readonly name: string;
  readonly expiresAt: Date;
}

export interface InvitationService {
  /** `POST /v1/users`: an invited user with their roles and a new invitation link. */
  invite(authz: Authorizer, requestId: string | undefined, input: InviteUserInput): Promise<InvitedUser>;
  /** A new link for a user who has not accepted one; every earlier link stops working. */
  reinvite(authz: Authorizer, requestId: string | undefined, userId: string): Promise<InvitedUser>;
  /** What the invitation page shows; throws the invitation's problem when the link cannot be used. */
  describe(token: string): Promise<InvitationPage>;
  /** Sets the password, activates the account, uses the link up and signs the person in. */
  accept(
    input: AcceptInvitationInput,
    current: FoundSession | undefined,
    meta: RequestMeta,
  ): Promise<{ opened: OpenedSession; view: SessionView }>;
  /** Deactivation (rbac's step): the user's open links stop working. */
  voidAllOf(tx: Tx, orgId: string, userId: string): Promise<number>;
}

/**
 * Invitations of local users (issue 10 point 5, ADR 0038). Inviting is sign-in's use case on rbac's users, as
 * registering a server is discovery's on the registry's (ADR 0028): rbac creates the user and checks the roles
 * in the transaction that stores the link. Only the link's HMAC is stored; a link works once, until it expires,
 * and only while it is the user's newest.
 */
export function createInvitationService(deps: {
  db: Db;
  clock: Clock;
  pepper: Buffer;
  publicUrl: string;
  ttlHours: number;
  rbac: Pick<RbacModule, 'lifecycle' | 'users'>;
  sessions: SessionService;
}): InvitationService {
  const { db, clock, pepper, publicUrl } = deps;
  const lifecycle = deps.rbac.lifecycle;

  async function issue(tx: Tx, actor: Actor, user: { id: string; email: string }) {
    const now = clock.now();
    const replaced = await repo.voidOpenInvitations(tx, actor.orgId, user.id, now);
    const token = generateInvitationToken();
    const id = uuidv7(now.getTime());
    const expiresAt = new Date(now.getTime() + deps.ttlHours * 3_600_000);
    await repo.insertInvitation(tx, {
      orgId: actor.orgId,
      id,
      userId: user.id,
      tokenHash: hashInvitationToken(pepper, token),
      createdAt: now,
      createdBy: `${actor.type}:${actor.id}`,
      expiresAt,
    });
    await recordChange(
      tx,
      actor,
      {
        action: 'user.invited',
        target: { type: 'user', id: user.id },
        data: { email: user.email, invitationId: id, expiresAt: expiresAt.toISOString(), replaced },
      },
      clock,
    );
    const url = `${publicUrl}/auth/invitation?token=${token}`;
    return { url, token, expiresAt: expiresAt.toISOString() };
  }

  async function find(token: string) {
    const found = looksLikeInvitationToken(token)
      ? await repo.findInvitationByHash(db, hashInvitationToken(pepper, token))
      : undefined;
    assertUsable(found, clock.now(), publicUrl);
    return found;
  }

  return {
    async invite(authz, requestId, input) {
      assertRecentSignIn(authz.principal, clock.now());
      const orgId = authz.principal.orgId;
      const email = input.email.trim().toLowerCase();
      await lifecycle.prepare(orgId);
      try {
        return await withTenant(db, orgId, async (tx) => {
          if ((await accounts.findAccountByEmail(tx, orgId, email)) !== undefined)
            throw userEmailTaken(email);
          const user = await lifecycle.createInvitedInTx(tx, authz, requestId, { ...input, email });
          const invitation = await issue(tx, actorOf(authz.principal, requestId), user);
          return { user, invitation };
        });
      } catch (e) {
        // Two invitations for one address at the same moment: the unique index decides.
        if (isEmailConflict(e)) throw userEmailTaken(email);
        throw e;
      }
    },

    async reinvite(authz, requestId, userId) {
      assertRecentSignIn(authz.principal, clock.now());
      const orgId = authz.principal.orgId;
      await lifecycle.prepare(orgId);
      const invitation = await withTenant(db, orgId, async (tx) => {
        const account = await accounts.findAccountById(tx, orgId, userId);
        if (account === undefined) throw userNotFound(userId);
        if (account.status === 'disabled') {
          throw userStatusConflict(account.email, 'is deactivated; reactivate the user first');
        }
        if (account.password_hash !== null || account.idp_subject !== null) {
          throw userStatusConflict(account.email, 'has accepted an invitation or signs in with SSO already');
        }
        // The link hands the account, with its roles, to whoever opens it.
        await lifecycle.assertWithinUserInTx(tx, authz, userId, `invite ${account.email} again`);
        if (account.status === 'active') {
          await accounts.markInvited(tx, orgId, userId, clock.now());
          await announceAccessChange(tx, orgId);
        }
        return issue(tx, actorOf(authz.principal, requestId), account);
      });
      return { user: await deps.rbac.users.get(authz.principal, userId), invitation };
    },

    async describe(token) {
      const found = await find(token);
      const account = await withTenant(db, found.org_id, (tx) =>
        accounts.findAccountById(tx, found.org_id, found.user_id),
      );
      if (account === undefined)
        throw new SignInError('invitation_not_found', 'This invitation is not valid.');
      return {
        orgSlug: found.org_slug,
        email: account.email,
        name: account.name,
        expiresAt: found.expires_at,
      };
    },

    async accept(input, current, meta) {
      const found = await find(input.token);
      // Argon2 only after the link proved valid: an unknown token costs no hashing.
      const passwordHash = await hashPassword(input.password);
      const orgId = found.org_id;
      return withTenant(db, orgId, async (tx) => {
        const now = clock.now();
        if (!(await repo.markAccepted(tx, orgId, found.id, now))) {
          // Another request used it between the lookup and now (or it expired in between).
          assertUsable(
            await repo.findInvitationByHash(tx, hashInvitationToken(pepper, input.token)),
            now,
            publicUrl,
          );
          throw new SignInError('invitation_used', 'This invitation was already used.');
        }
        const activated = await accounts.activateInvitedAccount(tx, {
          orgId,
          id: found.user_id,
          passwordHash,
          name: input.name,
          now,
        });
        if (!activated) {
          throw new SignInError(
            'invitation_revoked',
            'This account is not waiting for an invitation any more.',
          );
        }
        await repo.voidOpenInvitations(tx, orgId, found.user_id, now);
        await recordChange(
          tx,
          { type: 'user', id: found.user_id, orgId, requestId: meta.requestId },
          {
            action: 'user.invitation_accepted',
            target: { type: 'user', id: found.user_id },
            data: { invitationId: found.id, method: 'password', ip: meta.ip ?? null },
          },
          clock,
        );
        await announceAccessChange(tx, orgId);
        const account = await accounts.findAccountById(tx, orgId, found.user_id);
        return completeSignIn(
          tx,
          { sessions: deps.sessions, clock },
          {
            orgId,
            orgSlug: found.org_slug,
            account: account!,
            method: 'password',
            authTime: now,
            meta,
            replacing: current,
          },
        );
      });
    },

    voidAllOf: (tx, orgId, userId) => repo.voidOpenInvitations(tx, orgId, userId, clock.now()),
  };
}
