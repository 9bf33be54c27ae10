import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OAuthTestApp, startOAuthApp } from '../../../../test/oauth-app.ts';
import { Browser } from '../../../../test/oauth-browser.ts';

/**
 * MCP clients register themselves (RFC 7591 dynamic registration) as public code-flow clients, are shown on a
 * consent page, and get tokens for the MCP resource. Machine clients and org claims cannot be registered this way.
 */
let s: OAuthTestApp;

beforeAll(async () => {
  s = await startOAuthApp();
});
afterAll(() => s.stop());

describe('an MCP client registered dynamically (RFC 7591)', () => {
  it('registers as a public client, asks consent, and gets a token for PUBLIC_URL/mcp', async () => {
    const redirectUri = 'http://127.0.0.1:43110/mcp/callback';
    const res = await fetch(`${s.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Some MCP client',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const reg = (await res.json()) as { client_id: string; client_secret?: string };
    expect(reg.client_secret).toBeUndefined();
    const config = await s.configFor(reg.client_id);
    const browser = new Browser();
    const tokens = await s.codeFlow(config, { redirectUri, scope: 'read', resource: s.mcp, browser });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: s.mcp, sub: s.user.id });
    expect(
      browser.pages.some((p) => p.html.includes('Allow access?') && p.html.includes('Some MCP client')),
    ).toBe(true);
  });

  it('cannot register a machine client or claim an org', async () => {
    for (const body of [
      {
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
        token_endpoint_auth_method: 'none',
      },
      { redirect_uris: ['http://127.0.0.1:1/cb'], token_endpoint_auth_method: 'client_secret_basic' },
      { redirect_uris: ['http://127.0.0.1:1/cb'], token_endpoint_auth_method: 'none', org_id: 'x' },
    ]) {
      const res = await fetch(`${s.issuer}/reg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ application_type: 'native', ...body }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_client_metadata');
    }
  });

  it('gets no code when the user denies consent', async () => {
    const redirectUri = 'http://127.0.0.1:43111/cb';
    const reg = (await (
      await fetch(`${s.issuer}/reg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          redirect_uris: [redirectUri],
          token_endpoint_auth_method: 'none',
          application_type: 'native',
        }),
      })
    ).json()) as { client_id: string };
    const config = await s.configFor(reg.client_id);
    await expect(s.codeFlow(config, { redirectUri, scope: 'read', consent: 'abort' })).rejects.toMatchObject({
      error: 'access_denied',
    });
  });
});
