/**
 * An OpenID issuer must be https (OIDC Discovery §3; the client secret and tokens travel to it). The one
 * exception is a loopback address, as RFC 8252 §8.3 allows for native apps: a provider on the same machine in
 * development and tests. Such an address is still refused by egress unless SPRINTCONNECT_EGRESS_ALLOW lets it.
 */
export type IssuerCheck = { ok: true; url: URL; insecure: boolean } | { ok: false; detail: string };

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)$/;

export function checkIssuerUrl(raw: string): IssuerCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, detail: 'must be an absolute URL such as https://login.example.com' };
  }
  if (url.username !== '' || url.password !== '')
    return { ok: false, detail: 'must not contain credentials' };
  if (url.search !== '' || url.hash !== '') {
    return { ok: false, detail: 'must not have a query or fragment (OIDC Discovery §2)' };
  }
  if (url.protocol === 'https:') return { ok: true, url, insecure: false };
  if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return { ok: true, url, insecure: true };
  return { ok: false, detail: 'must use https (plain http is accepted only for a loopback address)' };
}
