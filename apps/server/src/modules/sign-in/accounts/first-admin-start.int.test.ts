import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { start } from '../../../start.ts';

describe('sprintconnect start with SPRINTCONNECT_ADMIN_EMAIL / SPRINTCONNECT_ADMIN_PASSWORD', () => {
  let dir: string;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates the local owner of the default org on first start, who can then sign in', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-admin-'));
    const lines: string[] = [];
    const sc = await start({
      env: {
        SPRINTCONNECT_DATA_DIR: join(dir, 'data'),
        DATABASE_URL: '',
        PORT: '0',
        LOG_LEVEL: 'silent',
        SPRINTCONNECT_ADMIN_EMAIL: 'Owner@Example.com',
        SPRINTCONNECT_ADMIN_PASSWORD: 'a passphrase for the owner',
      },
      print: (l) => lines.push(l),
    });
    try {
      expect(lines.join('\n')).toContain('owner@example.com is the owner of the default organization');
      const res = await fetch(`${sc.url}/auth/local/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          org: 'default',
          email: 'owner@example.com',
          password: 'a passphrase for the owner',
        }),
      });
      expect(res.status).toBe(200);
      const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
      const me = (await (await fetch(`${sc.url}/v1/me`, { headers: { cookie } })).json()) as {
        roles: string[];
      };
      expect(me.roles).toEqual(['owner']);
    } finally {
      await sc.stop();
    }
  }, 120_000);
});
