/**
 * The page an invitation link opens: who is invited to which organization, and a form to choose a password
 * (a plain form post, no script, nothing loaded from elsewhere). Everything interpolated is escaped.
 */
const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export function renderInvitationPage(p: {
  publicUrl: string;
  token: string;
  orgSlug: string;
  email: string;
  name: string;
  expiresAt: Date;
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Join ${esc(p.orgSlug)} · SprintConnect</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem;line-height:1.5}
label{display:block;margin:.5rem 0}input{width:100%;padding:.4rem}button{margin-top:1rem;padding:.4rem 1rem}
small{color:#666}</style>
</head>
<body>
<h1>Join ${esc(p.orgSlug)} on SprintConnect</h1>
<p>You are invited as <strong id="email">${esc(p.email)}</strong>. Choose a password to activate your account.</p>
<form method="post" action="${esc(`${p.publicUrl}/auth/invitation/accept`)}">
<input type="hidden" name="token" value="${esc(p.token)}">
<label>Name <input name="name" autocomplete="name" maxlength="200" value="${esc(p.name)}"></label>
<label>Password <input name="password" type="password" autocomplete="new-password" minlength="12" maxlength="1024" required></label>
<button type="submit">Activate my account</button>
</form>
<p><small>This link works once and expires on ${esc(p.expiresAt.toISOString())}.</small></p>
</body>
</html>
`;
}
