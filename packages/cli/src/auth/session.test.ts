import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN } from '../testing/login.ts';
import { readLogin } from './credentials.ts';
import { storedSession } from './session.ts';

const NOW = Date.parse('2029-12-31T23:00:00.000Z');

function tokenEndpoint(reply: () => Response) {
  const bodies: URLSearchParams[] = [];
  const fetch = (async (_url: string | URL | Request, init: RequestInit = {}) => {
    bodies.push(new URLSearchParams(String(init.body)));
    return reply();
  }) as typeof globalThis.fetch;
  return { fetch, bodies };
}

const tokens = (body: Record<string, unknown>, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('the stored session', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sc-session-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the stored access token while it has more than 30 s left, without calling the server', async () => {
    const ep = tokenEndpoint(() => tokens({}));
    const token = storedSession({ dir, login: LOGIN, fetch: ep.fetch, now: () => NOW });
    expect(await token()).toBe('at-1');
    expect(ep.bodies).toHaveLength(0);
  });

  it('refreshes an expiring token once for concurrent callers and saves the rotated tokens', async () => {
    const ep = tokenEndpoint(() =>
      tokens({ access_token: 'at-2', refresh_token: 'rt-2', token_type: 'Bearer', expires_in: 300 }),
    );
    const expiring = { ...LOGIN, expiresAt: new Date(NOW + 10_000).toISOString() };
    const token = storedSession({ dir, login: expiring, fetch: ep.fetch, now: () => NOW });
    expect(await Promise.all([token(), token()])).toEqual(['at-2', 'at-2']);
    expect(ep.bodies).toHaveLength(1);
    expect(Object.fromEntries(ep.bodies[0]!)).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: 'rt-1',
      resource: LOGIN.resource,
      client_id: 'sprintconnect-cli',
    });
    expect(readLogin(dir)).toMatchObject({
      accessToken: 'at-2',
      refreshToken: 'rt-2',
      expiresAt: new Date(NOW + 300_000).toISOString(),
    });
  });

  it('asks for a new login when the server refuses the refresh token (invalid_grant)', async () => {
    const ep = tokenEndpoint(() => tokens({ error: 'invalid_grant' }, 400));
    const expired = { ...LOGIN, expiresAt: new Date(0).toISOString() };
    const token = storedSession({ dir, login: expired, fetch: ep.fetch, now: () => NOW });
    await expect(token()).rejects.toThrow(/run `sprintconnect login` again/);
    expect(readLogin(dir)).toBeUndefined();
  });
});
