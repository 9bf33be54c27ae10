/**
 * Where a person goes to sign in again. An SSO session goes straight to its provider; a password session (or
 * an unknown one) to the sign-in page, which offers both.
 */
export function loginUrl(
  publicUrl: string,
  to: { orgSlug?: string | undefined; method?: 'sso' | 'password' | undefined; returnTo?: string },
): string {
  const q = new URLSearchParams();
  if (to.returnTo !== undefined && to.returnTo !== '/') q.set('returnTo', to.returnTo);
  if (to.orgSlug !== undefined && to.method === 'sso') {
    const qs = q.toString();
    return `${publicUrl}/auth/sso/${encodeURIComponent(to.orgSlug)}/login${qs === '' ? '' : `?${qs}`}`;
  }
  if (to.orgSlug !== undefined) q.set('org', to.orgSlug);
  const qs = q.toString();
  return `${publicUrl}/auth/login${qs === '' ? '' : `?${qs}`}`;
}
