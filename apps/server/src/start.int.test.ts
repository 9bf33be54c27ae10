import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { start } from './start.ts';

/** The newcomer's path: `npm start` on an empty data dir, then again on the same data. */
describe('sprintconnect start on embedded PostgreSQL', () => {
  let dir: string;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('first start initialises the database, prints an admin key once, and serves the API; a restart reuses the data', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sc-start-')); // a 0700 directory, as mktemp makes it
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const env = {
      SPRINTCONNECT_DATA_DIR: join(dir, 'data'),
      DATABASE_URL: '',
      SPRINTCONNECT_MASTER_KEY: '',
      SPRINTCONNECT_BOOTSTRAP_KEY: '',
      PORT: '0',
      LOG_LEVEL: 'silent',
    };
    const lines1: string[] = [];
    const first = await start({ env, print: (l) => lines1.push(l) });
    let key: string;
    try {
      key = lines1.find((l) => /^\s+sck_/.test(l))!.trim();
      expect(key).toMatch(/^sck_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
      expect(lines1.join('\n')).toMatch(/ready at http:\/\/127\.0\.0\.1:\d+/);
      const health = await fetch(`${first.url}/healthz`);
      expect(health.status).toBe(200);
      const reg = await fetch(`${first.url}/v1/servers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'kept', url: 'https://kept.example/mcp', autoDiscover: false }),
      });
      expect(reg.status).toBe(201);
    } finally {
      await first.stop();
    }
    expect((await stat(join(dir, 'data', 'master.key'))).mode & 0o777).toBe(0o600);

    const lines2: string[] = [];
    const second = await start({ env, print: (l) => lines2.push(l) });
    try {
      expect(lines2.some((l) => /sck_/.test(l))).toBe(false);
      expect(lines2.join('\n')).not.toMatch(/initialised a new cluster/);
      const list = await fetch(`${second.url}/v1/servers`, { headers: { authorization: `Bearer ${key}` } });
      const body = (await list.json()) as { items: { name: string }[] };
      expect(body.items.map((s) => s.name)).toEqual(['kept']);
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('refuses to start on a bad setting, naming the variable', async () => {
    await expect(
      start({ env: { PORT: 'eighty', LOG_LEVEL: 'silent' }, print: () => undefined }),
    ).rejects.toThrow(/PORT must be a whole number/);
  });
});
