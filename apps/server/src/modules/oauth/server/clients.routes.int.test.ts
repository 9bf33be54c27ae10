import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness.ts';
import { freePort } from '../../../../test/oauth-browser.ts';

/**
 * CI clients through the API: created over HTTP (the secret shown once), used for client_credentials at
 * /oidc/token over a real socket, listed without secrets, isolated per org, unusable once removed.
 */
let t: TestApp;
let publicUrl: string;
let issuer: string;

beforeAll(async () => {
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  issuer = `${publicUrl}/oidc`;
  t = await startTestApp({ env: { SPRINTCONNECT_PUBLIC_URL: publicUrl } });
  await t.app.listen({ port, host: '127.0.0.1' });
});
afterAll(() => t.stop());

const api = (method: string, path: string, auth: { authorization: string }, body?: unknown) =>
  fetch(`${publicUrl}${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const configFor = (clientId: string, secret: string) =>
  client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(secret), {
    execute: [client.allowInsecureRequests],
  });

interface Created {
  clientId: string;
  clientSecret: string;
  name: string;
  scopes: string[];
  roles: string[];
  dpopBound: boolean;
  tokenEndpoint: string;
}

async function create(body: unknown, auth = t.auth): Promise<Created> {
  const res = await api('POST', '/v1/oauth-clients', auth, body);
  expect(res.status, await res.clone().text()).toBe(201);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as Created;
}

describe('a CI client created through the API', () => {
  let ci: Created;

  beforeAll(async () => {
    ci = await create({ name: 'github-actions', scopes: ['read'], roles: ['viewer'] });
  });

  it('is returned once with its secret and the token endpoint', () => {
    expect(ci).toMatchObject({
      name: 'github-actions',
      scopes: ['read'],
      roles: ['viewer'],
      dpopBound: false,
      tokenEndpoint: `${issuer}/token`,
    });
    expect(ci.clientId).toMatch(/^scc_/);
    expect(ci.clientSecret.length).toBeGreaterThanOrEqual(43);
  });

  it('gets a token with client_credentials at /oidc/token and lists servers with it', async () => {
    const tokens = await client.clientCredentialsGrant(await configFor(ci.clientId, ci.clientSecret), {
      scope: 'read',
    });
    const res = await api('GET', '/v1/servers', { authorization: `Bearer ${tokens.access_token}` });
    expect(res.status, await res.clone().text()).toBe(200);
    const me = (await (
      await api('GET', '/v1/me', { authorization: `Bearer ${tokens.access_token}` })
    ).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ kind: 'client', id: ci.clientId, org: { id: t.orgId }, roles: ['viewer'] });
  });

  it('is listed by its org without any secret', async () => {
    const res = await api('GET', '/v1/oauth-clients', t.auth);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(ci.clientSecret);
    expect(text).not.toMatch(/secret/i);
    const { items } = JSON.parse(text) as { items: Record<string, unknown>[] };
    // expiresAt and createdBy came with issue 8's fixes (D4): made by the admin key, which never expires.
    expect(items).toContainEqual({
      clientId: ci.clientId,
      name: 'github-actions',
      scopes: ['read'],
      expiresAt: null,
      createdBy: expect.stringMatching(/^api_key:[0-9a-f-]{36}$/),
    });
  });

  it('is invisible to another org, which cannot delete it either (404)', async () => {
    const other = await t.newOrg('globex');
    const list = (await (await api('GET', '/v1/oauth-clients', other.auth)).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
    const del = await api('DELETE', `/v1/oauth-clients/${ci.clientId}`, other.auth);
    expect(del.status).toBe(404);
    expect(((await del.json()) as { code: string }).code).toBe('not_found');
    await expect(
      client.clientCredentialsGrant(await configFor(ci.clientId, ci.clientSecret), { scope: 'read' }),
    ).resolves.toHaveProperty('access_token');
  });

  it('cannot get tokens once deleted; deleting again is 404', async () => {
    const config = await configFor(ci.clientId, ci.clientSecret);
    const del = await api('DELETE', `/v1/oauth-clients/${ci.clientId}`, t.auth);
    expect(del.status).toBe(204);
    await expect(client.clientCredentialsGrant(config, { scope: 'read' })).rejects.toMatchObject({
      cause: [{ parameters: { error: 'invalid_client' } }],
    });
    const list = (await (await api('GET', '/v1/oauth-clients', t.auth)).json()) as {
      items: { clientId: string }[];
    };
    expect(list.items.map((c) => c.clientId)).not.toContain(ci.clientId);
    expect((await api('DELETE', `/v1/oauth-clients/${ci.clientId}`, t.auth)).status).toBe(404);
  });
});

describe('who may manage CI clients', () => {
  it('needs api_keys:admin to create or delete and api_keys:read to list', async () => {
    const reader = { authorization: `Bearer ${await t.keyWithScopes(['api_keys:read'])}` };
    expect((await api('GET', '/v1/oauth-clients', reader)).status).toBe(200);
    expect((await api('POST', '/v1/oauth-clients', reader, { name: 'x', scopes: ['read'] })).status).toBe(
      403,
    );
    expect((await api('DELETE', '/v1/oauth-clients/scc_whatever', reader)).status).toBe(403);
    const none = { authorization: `Bearer ${await t.keyWithScopes(['servers:read'])}` };
    expect((await api('GET', '/v1/oauth-clients', none)).status).toBe(403);
  });

  it('cannot give a client a role with permissions the caller lacks (403), nor an unknown role (422)', async () => {
    const keyAdmin = { authorization: `Bearer ${await t.keyWithScopes(['api_keys:admin'])}` };
    const res = await api('POST', '/v1/oauth-clients', keyAdmin, {
      name: 'sneaky',
      scopes: ['admin'],
      roles: ['admin'],
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('forbidden');
    const unknown = await api('POST', '/v1/oauth-clients', t.auth, {
      name: 'x',
      scopes: ['read'],
      roles: ['no-such-role'],
    });
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ pointer: '/roles/0' }],
    });
    const list = (await (await api('GET', '/v1/oauth-clients', t.auth)).json()) as {
      items: { name: string }[];
    };
    expect(list.items.map((c) => c.name)).not.toContain('sneaky');
  });

  it('rejects a body with an unknown scope or extra fields (422)', async () => {
    for (const body of [
      { name: 'x', scopes: ['root'] },
      { name: 'x', scopes: ['read'], clientSecret: 'mine' },
    ]) {
      expect((await api('POST', '/v1/oauth-clients', t.auth, body)).status).toBe(422);
    }
  });
});

describe('a DPoP-bound CI client', () => {
  it('is registered with dpopBound and gets a token only with a DPoP proof (invalid_grant without)', async () => {
    const ci = await create({ name: 'dpop-ci', scopes: ['read'], roles: ['viewer'], dpopBound: true });
    expect(ci.dpopBound).toBe(true);
    const config = await configFor(ci.clientId, ci.clientSecret);
    await expect(client.clientCredentialsGrant(config, { scope: 'read' })).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const dpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read' }, { DPoP: dpop });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
  });
});
