/**
 * The sign-in page: single sign-on when the org has it, and the password form (a plain form post, no script).
 * Everything interpolated is escaped.
 */
const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export function renderLoginPage(p: {
  publicUrl: string;
  orgSlug: string | undefined;
  ssoConfigured: boolean;
  returnTo: string;
}): string {
  const back = p.returnTo === '/' ? '' : `?returnTo=${encodeURIComponent(p.returnTo)}`;
  const sso =
    p.orgSlug !== undefined && p.ssoConfigured
      ? `<p><a id="sso" href="${esc(`${p.publicUrl}/auth/sso/${encodeURIComponent(p.orgSlug)}/login${back}`)}">Sign in with SSO</a></p>
<p>or with a password:</p>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Sign in · SprintConnect</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem;line-height:1.5}
label{display:block;margin:.5rem 0}input{width:100%;padding:.4rem}button{margin-top:1rem;padding:.4rem 1rem}</style>
</head>
<body>
<h1>Sign in to SprintConnect</h1>
${sso}
<form method="post" action="${esc(`${p.publicUrl}/auth/local/login`)}">
<label>Organization <input name="org" required pattern="[a-z0-9][a-z0-9-]{0,62}" value="${esc(p.orgSlug ?? '')}"></label>
<label>Email <input name="email" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<input type="hidden" name="returnTo" value="${esc(p.returnTo)}">
<button type="submit">Sign in</button>
</form>
</body>
</html>
`;
}
