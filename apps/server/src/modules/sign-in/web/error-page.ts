/**
 * The page a browser sees when sign-in fails: what happened, in words, and a way to try again. Everything
 * interpolated is escaped; the page loads nothing and runs no script.
 */
const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export interface ErrorPage {
  readonly title: string;
  readonly detail: string;
  readonly retryUrl: string | undefined;
  readonly requestId: string;
}

export function renderErrorPage(p: ErrorPage): string {
  const retry =
    p.retryUrl === undefined
      ? ''
      : `<p><a id="retry" href="${escapeHtml(p.retryUrl)}">Try signing in again</a></p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(p.title)} · SprintConnect</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}
small{color:#666}</style>
</head>
<body>
<h1>${escapeHtml(p.title)}</h1>
<p>${escapeHtml(p.detail)}</p>
${retry}
<p><small>Request id: ${escapeHtml(p.requestId)}</small></p>
</body>
</html>
`;
}

/** A browser navigation asks for HTML; API clients (and scripts) get problem+json. */
export function wantsHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const html = accept.indexOf('text/html');
  const json = accept.search(/application\/(problem\+)?json/);
  return html !== -1 && (json === -1 || html < json);
}
