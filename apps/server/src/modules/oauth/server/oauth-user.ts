import type { SignedInUser } from '../../sign-in/index.ts';

export type { SessionUser, SignInMeta, VerifyPassword } from '../../sign-in/index.ts';

/** A person the authorization server can sign in: the token `sub` is `id`, the token `org_id` is `orgId`. */
export type OAuthUser = SignedInUser;

/** An active user by id, across orgs (a token `sub`); undefined when unknown or disabled. */
export type FindUser = (id: string) => Promise<OAuthUser | undefined>;
