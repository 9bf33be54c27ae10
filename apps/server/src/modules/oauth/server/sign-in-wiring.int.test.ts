import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness.ts';
import { Browser, freePort } from '../../../../test/oauth-browser.ts';

/**
 * The authorization server's sign-in step on the real accounts of story 1.1 (nothing injected): the local
 * password form checks the account's Argon2id hash, and a console session already in the browser signs the user
 * in without a form, keeping the session's auth_time (unless the client asks for a fresh sign-in).
 */
const EMAIL = 'owner@example.com';
const PASSWORD = 'correct horse battery staple 42';
const REDIRECT = 'http://127.0.0.1:53682/callback';
let t: TestApp;
let publicUrl: string;
let cli: client.Configuration;

beforeAll(async () => {
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  t = await startTestApp({ env: { SPRINTCONNECT_PUBLIC_URL: publicUrl } });
  await t.sc.signIn.bootstrapAdmin(t.database.adminDb, t.orgId, { email: EMAIL, password: PASSWORD });
  await t.app.listen({ port, host: '127.0.0.1' });
  cli = await client.discovery(new URL(`${publicUrl}/oidc`), 'sprintconnect-cli', undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
});
afterAll(() => t.stop());

async function authorizeUrl(extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(cli, {
    redirect_uri: REDIRECT,
    scope: 'openid read',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url, verifier };
}

const exchange = (back: URL, verifier: string) =>
  client.authorizationCodeGrant(cli, back, {
    pkceCodeVerifier: verifier,
    expectedState: client.skipStateCheck,
  });

describe('sign-in at /oidc with a local account', () => {
  it('accepts the account password and issues tokens for that user', async () => {
    const { url, verifier } = await authorizeUrl();
    const back = await new Browser().authorize(url, REDIRECT, {
      login: { org: 'default', email: EMAIL, password: PASSWORD },
    });
    const tokens = await exchange(back, verifier);
    const me = await fetch(`${publicUrl}/v1/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(await me.json()).toMatchObject({
      kind: 'user',
      email: EMAIL,
      org: { id: t.orgId },
      roles: ['owner'],
    });
  });

  it('refuses a wrong password with the form again', async () => {
    const { url } = await authorizeUrl();
    const browser = new Browser();
    await expect(
      browser.authorize(url, REDIRECT, { login: { org: 'default', email: EMAIL, password: 'nope' } }),
    ).rejects.toThrow(/^401/);
  });
});

describe('a console session in the browser', () => {
  async function consoleSession(): Promise<Browser> {
    const browser = new Browser();
    const res = await browser.request(new URL(`${publicUrl}/auth/local/login`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: publicUrl },
      body: JSON.stringify({ org: 'default', email: EMAIL, password: PASSWORD }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return browser;
  }

  it('signs the user in without a password form, keeping the session sign-in time as auth_time', async () => {
    const browser = await consoleSession();
    const before = Math.floor(Date.now() / 1000);
    const { url, verifier } = await authorizeUrl();
    const back = await browser.authorize(url, REDIRECT);
    expect(browser.pages.some((p) => p.html.includes('/login"'))).toBe(false);
    const claims = decodeJwt((await exchange(back, verifier)).access_token);
    expect(claims.email).toBe(EMAIL);
    expect(claims.auth_time).toBeLessThanOrEqual(before);
  });

  it('does not replace a password when the client asks for a fresh sign-in (prompt=login)', async () => {
    const browser = await consoleSession();
    const { url } = await authorizeUrl({ prompt: 'login' });
    await expect(browser.authorize(url, REDIRECT)).rejects.toThrow(/stuck at .*interaction/);
    expect(browser.pages.at(-1)!.html).toContain('type="password"');
  });
});
