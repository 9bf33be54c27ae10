import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { withTenant } from '../../platform/db/index.ts';

/**
 * Issue 8 point 5: registration is where a tenant names a port, so it is where a port outside
 * SPRINTCONNECT_EGRESS_PORTS, or a Fetch "bad port", is refused (ADR 0027). Loopback is allowlisted in both apps
 * so the port is the only reason for a refusal.
 */
let byDefault: TestApp;
let everyPort: TestApp;
beforeAll(async () => {
  // '' is "unset": the production default, 80 and 443 (the harness otherwise opens the ephemeral range).
  byDefault = await startTestApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32', SPRINTCONNECT_EGRESS_PORTS: '' },
  });
  everyPort = await startTestApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32', SPRINTCONNECT_EGRESS_PORTS: '1-65535' },
  });
});
afterAll(async () => {
  await byDefault?.stop();
  await everyPort?.stop();
});

const register = (t: TestApp, url: string) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/servers',
    headers: t.auth,
    payload: { name: `s-${url.replace(/[^a-z0-9]+/g, '-').slice(0, 60)}`, url, autoDiscover: false },
  });

const serverCount = (t: TestApp) =>
  withTenant(t.database.adminDb, t.orgId, async (tx) =>
    Number(
      (
        await tx
          .selectFrom('servers')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  );

describe('the platform port allowlist at registration', () => {
  it.each([
    ['Redis', 'http://127.0.0.1:6379/mcp', 6379],
    ['PostgreSQL', 'http://127.0.0.1:5432/mcp', 5432],
    ['the Docker API', 'http://127.0.0.1:2375/mcp', 2375],
    ['a named host', 'https://mcp.example.com:6379/mcp', 6379],
  ])(
    'refuses the port of %s with 422 port_not_allowed naming SPRINTCONNECT_EGRESS_PORTS; nothing is stored',
    async (_what, url, port) => {
      const before = await serverCount(byDefault);
      const res = await register(byDefault, url);
      expect(res.statusCode).toBe(422);
      const detail = `port ${port} is not in SPRINTCONNECT_EGRESS_PORTS (80,443); to allow it, add ${port} to SPRINTCONNECT_EGRESS_PORTS`;
      expect(res.json()).toMatchObject({
        code: 'port_not_allowed',
        detail,
        errors: [{ pointer: '/url', detail }],
      });
      expect(await serverCount(byDefault)).toBe(before);
    },
  );

  it('accepts the default ports 80 and 443', async () => {
    expect((await register(byDefault, 'http://127.0.0.1/mcp')).statusCode).toBe(201);
    expect((await register(byDefault, 'https://127.0.0.1:443/mcp')).statusCode).toBe(201);
  });

  it('refuses a changed URL on an unlisted port too', async () => {
    const created = (await register(byDefault, 'http://127.0.0.1:80/patched')).json();
    const res = await byDefault.app.inject({
      method: 'PATCH',
      url: `/v1/servers/${created.id}`,
      headers: byDefault.auth,
      payload: { url: 'http://127.0.0.1:5432/mcp' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('port_not_allowed');
  });

  it('names the platform rule in the egress dry run', async () => {
    const res = await byDefault.app.inject({
      method: 'POST',
      url: '/v1/egress-policy/check',
      headers: byDefault.auth,
      payload: { url: 'http://127.0.0.1:2375/containers/json' },
    });
    expect(res.json()).toMatchObject({
      allowed: false,
      rule: 'global:egress_port_not_allowed',
      code: 'egress_port_not_allowed',
    });
  });
});

describe('Fetch "bad ports" at registration', () => {
  it.each([1, 6000, 6665])(
    'refuses port %i even when SPRINTCONNECT_EGRESS_PORTS allows every port',
    async (port) => {
      const before = await serverCount(everyPort);
      const res = await register(everyPort, `http://127.0.0.1:${port}/mcp`);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'port_not_allowed', errors: [{ pointer: '/url' }] });
      expect(res.json().detail).toBe(
        `port ${port} is a "bad port" in the Fetch Standard (port blocking); it is always refused and SPRINTCONNECT_EGRESS_PORTS cannot allow it`,
      );
      expect(await serverCount(everyPort)).toBe(before);
    },
  );

  it('accepts any other port the list allows', async () => {
    expect((await register(everyPort, 'http://127.0.0.1:6379/mcp')).statusCode).toBe(201);
  });
});
