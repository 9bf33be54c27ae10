import { expect } from 'vitest';
import { eventually, type TestApp } from './harness.ts';

/**
 * Registers an MCP server through the API as `auth` and waits until its first discovery made it `active`, so a
 * test can then use its stored capabilities (the gateway, search). Returns the server's id.
 */
export async function registerDiscovered(
  t: Pick<TestApp, 'app'>,
  auth: { authorization: string },
  server: { name: string; url: string } & Record<string, unknown>,
): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/servers', headers: auth, payload: server });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  await eventually(
    async () => {
      const r = await t.app.inject({ method: 'GET', url: `/v1/servers/${id}`, headers: auth });
      return r.json().status === 'active' ? true : undefined;
    },
    45_000,
    `discovery of ${server.name}`,
  );
  return id;
}
