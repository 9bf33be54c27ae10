export type { AuthAttempt, AuthAttempts } from './auth-attempts.ts';
export { asAttempt, createAuthAttempts } from './auth-attempts.ts';
export type { Authenticator, AuthRequest } from './authenticator.ts';
export { bearerToken, looksLikeJwt } from './authenticator.ts';
export { meRoutes } from './me.routes.ts';
export type { Principal } from './principal.ts';
export { actorOf } from './principal.ts';
export { assertRecentSignIn, STEP_UP_MAX_AGE_SECONDS } from './step-up.ts';
