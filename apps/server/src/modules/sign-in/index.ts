export type { SignInInvitationsTables } from './accounts/invitations.schema.ts';
export type { SessionUser, SignedInUser, SignInMeta, VerifyPassword } from './accounts/signed-in-user.ts';
export type { SignInSessionsTables } from './sessions/sessions.schema.ts';
export { SIGN_IN_ERRORS } from './sign-in.errors.ts';
export type { SignInModule } from './sign-in.module.ts';
export { createSignInModule } from './sign-in.module.ts';
export type { SignInSsoTables } from './sso/sso.schema.ts';
