export type { SessionUser, SignedInUser, SignInMeta, VerifyPassword } from './accounts/signed-in-user.ts';
export { localPasswordVerifier } from './password/password-verifier.ts';
export { cookieNames, parseCookieHeader } from './sessions/session-cookie.ts';
export { sessionUserVia } from './sessions/session-user.ts';
export type { GrantRoles, SignIn } from './sign-in.module.ts';
export { createSignIn, SSO_DEFAULT_ROLE } from './sign-in.module.ts';
