/**
 * A person signed in by one of our own means (a local password, a console session), as the authorization
 * server needs them: the token `sub` is `id`, the token `org_id` is `orgId`.
 */
export interface SignedInUser {
  readonly id: string;
  readonly orgId: string;
  readonly email: string;
  readonly name: string;
  /** When the person last proved who they are, if known (a console session); becomes the token's auth_time. */
  readonly authTime?: Date | undefined;
}

/** Who is asking, for the sign-in audit trail. */
export interface SignInMeta {
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly requestId?: string | undefined;
}

/**
 * Local-account sign-in: the user, undefined for wrong credentials, or a thrown `rate_limited` AppError while
 * backing off.
 */
export type VerifyPassword = (
  orgSlug: string,
  email: string,
  password: string,
  meta?: SignInMeta,
) => Promise<SignedInUser | undefined>;

/** The user already signed in to the console in this browser (session cookie), if any. */
export type SessionUser = (cookies: Readonly<Record<string, string>>) => Promise<SignedInUser | undefined>;
