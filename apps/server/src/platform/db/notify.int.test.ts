import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { eventually } from '../../../test/harness.ts';
import { uuidv7 } from '../../kernel/index.ts';
import { type Listener, listen, notify } from './notify.ts';
import { withTenant } from './tenant.ts';

let database: TestDatabase;
const listeners: Listener[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const l of listeners) await l.close();
  await database.drop();
});

function collect(channel: string) {
  const got: string[] = [];
  let connects = 0;
  let disconnects = 0;
  const l = listen({
    connectionString: database.appUrl,
    channel,
    onMessage: (p) => got.push(p),
    onConnected: () => connects++,
    onDisconnected: () => disconnects++,
    retryDelayMs: { min: 20, max: 200 },
  });
  listeners.push(l);
  return { l, got, connects: () => connects, disconnects: () => disconnects };
}

const org = uuidv7();

describe('LISTEN/NOTIFY helper', () => {
  it('delivers a notification sent in a transaction when it commits, and never when it rolls back', async () => {
    const c = collect('sc_test_commit');
    await eventually(async () => (c.l.connected ? true : undefined), 5000, 'listener connected');
    await withTenant(database.db, org, (tx) => notify(tx, 'sc_test_commit', 'committed'));
    await withTenant(database.db, org, async (tx) => {
      await notify(tx, 'sc_test_commit', 'rolled-back');
      throw new Error('roll back');
    }).catch(() => undefined);
    await withTenant(database.db, org, (tx) => notify(tx, 'sc_test_commit', 'after'));
    await eventually(async () => (c.got.includes('after') ? true : undefined), 5000, 'messages');
    expect(c.got).toEqual(['committed', 'after']);
  });

  it('reconnects after its connection is killed, says so, and receives again', async () => {
    const c = collect('sc_test_reconnect');
    await eventually(async () => (c.l.connected ? true : undefined), 5000, 'listener connected');
    expect(c.connects()).toBe(1);
    const killed = await database.adminPool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE application_name = 'sprintconnect:listen:sc_test_reconnect' AND datname = current_database()`,
    );
    expect(killed.rowCount).toBe(1);
    await eventually(async () => (c.connects() === 2 && c.l.connected ? true : undefined), 5000, 'reconnect');
    expect(c.disconnects()).toBe(1);
    await withTenant(database.db, org, (tx) => notify(tx, 'sc_test_reconnect', 'again'));
    await eventually(
      async () => (c.got.includes('again') ? true : undefined),
      5000,
      'message after reconnect',
    );
  });

  it('refuses channel names that are not plain identifiers', () => {
    expect(() =>
      listen({ connectionString: database.appUrl, channel: 'x; DROP', onMessage: () => {} }),
    ).toThrow(/invalid notification channel/);
  });

  it('stops for good when closed', async () => {
    const c = collect('sc_test_close');
    await eventually(async () => (c.l.connected ? true : undefined), 5000, 'listener connected');
    await c.l.close();
    expect(c.l.connected).toBe(false);
    await eventually(
      async () => {
        const { rows } = await database.adminPool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'sprintconnect:listen:sc_test_close'`,
        );
        return rows[0].n === 0 ? true : undefined;
      },
      5000,
      'the listen connection to end',
    );
    expect(c.l.connected).toBe(false);
  });
});
