import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';

/**
 * Issue 8 point 3: a credential may not outlive the authority it was minted with. A key made by a key expires
 * no later than its maker, whatever the request asks for; an earlier expiry is kept.
 */
let t: TestApp;
let maker: { token: string; expiresAt: Date };

beforeAll(async () => {
  t = await startTestApp();
  const expiresAt = new Date(Date.now() + 2 * 86_400_000);
  const created = await t.sc.apiKeys.keys.create(
    { type: 'system', id: 'test', orgId: t.orgId },
    { name: 'expiring maker', scopes: ['write'], expiresAt },
  );
  maker = { token: created.token, expiresAt };
});
afterAll(() => t.stop());

const mint = (payload: Record<string, unknown>) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: { authorization: `Bearer ${maker.token}` },
    payload: { name: 'minted', scopes: ['read'], ...payload },
  });

describe('a key made by an expiring key', () => {
  it('asked to never expire, expires with its maker', async () => {
    const res = await mint({});
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().expiresAt).toBe(maker.expiresAt.toISOString());
  });

  it('asked to outlive its maker, expires with it', async () => {
    const res = await mint({ expiresInDays: 30 });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().expiresAt).toBe(maker.expiresAt.toISOString());
  });

  it('keeps an expiry earlier than its maker', async () => {
    const res = await mint({ expiresInDays: 1 });
    expect(res.statusCode, res.body).toBe(201);
    expect(new Date(res.json().expiresAt).getTime()).toBeLessThan(maker.expiresAt.getTime());
  });

  it('cannot carry a scope beyond its maker', async () => {
    const res = await mint({ scopes: ['admin'] });
    expect(res.statusCode).toBe(403);
  });
});

describe('a key made by a key that never expires', () => {
  it('may itself never expire (the bound is the maker)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.auth,
      payload: { name: 'by the bootstrap key', scopes: ['read'] },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().expiresAt).toBeNull();
  });
});
