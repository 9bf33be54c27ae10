/** The few HTML pages of the authorization server. Every interpolated value is escaped. */
const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const page = (title: string, body: string): string => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · SprintConnect</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}
label{display:block;margin:.75rem 0 .25rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem}.error{color:#b00020}</style></head>
<body><h1>${esc(title)}</h1>${body}</body></html>`;

/** Pages that must not be framed (clickjacking on a consent button) or cached. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
});

export function renderLoginPage(a: {
  uid: string;
  clientName: string;
  org: string;
  email: string;
  error?: string;
}): string {
  return page(
    'Sign in',
    `<p>Sign in to continue to <strong>${esc(a.clientName)}</strong>.</p>
${a.error === undefined ? '' : `<p class="error" role="alert">${esc(a.error)}</p>`}
<form method="post" action="/oidc/interaction/${esc(a.uid)}/login">
<label for="org">Organization</label><input id="org" name="org" value="${esc(a.org)}" autocomplete="organization" required>
<label for="email">Email</label><input id="email" name="email" type="email" value="${esc(a.email)}" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>
<form method="post" action="/oidc/interaction/${esc(a.uid)}/abort"><button type="submit">Cancel</button></form>`,
  );
}

export function renderConsentPage(a: {
  uid: string;
  clientName: string;
  clientId: string;
  scopes: readonly string[];
  resources: readonly string[];
  redirectHost: string;
}): string {
  const items = a.scopes.map((s) => `<li><code>${esc(s)}</code></li>`).join('');
  return page(
    'Allow access?',
    `<p><strong>${esc(a.clientName)}</strong> (<code>${esc(a.clientId)}</code>, returning to
<code>${esc(a.redirectHost)}</code>) asks to act for you on ${a.resources.map((r) => `<code>${esc(r)}</code>`).join(', ')}
with these scopes:</p><ul>${items}</ul>
<p>It can never do more than your roles allow.</p>
<form method="post" action="/oidc/interaction/${esc(a.uid)}/confirm"><button type="submit" autofocus>Allow</button></form>
<form method="post" action="/oidc/interaction/${esc(a.uid)}/abort"><button type="submit">Deny</button></form>`,
  );
}

export const renderErrorPage = (error: string, description: string): string =>
  page('Sign-in problem', `<p class="error"><code>${esc(error)}</code></p><p>${esc(description)}</p>`);

/** oidc-provider's end-session confirmation: its form (with the xsrf field) and our buttons. */
export const renderLogoutPage = (form: string): string =>
  page(
    'Sign out',
    `${form}<p>Sign out of SprintConnect?</p>
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
