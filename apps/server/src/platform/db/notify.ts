import { type QueryExecutorProvider, sql } from 'kysely';
import pg from 'pg';

/**
 * Cross-process signals over PostgreSQL LISTEN/NOTIFY: how a process tells every other one that something it
 * caches changed (ARCHITECTURE: "caches are invalidated through Postgres LISTEN/NOTIFY").
 *
 * `notify` runs inside the transaction that makes the change: PostgreSQL delivers the message only when that
 * transaction commits, and never when it rolls back, so listeners cannot hear of a change before it is visible
 * (https://www.postgresql.org/docs/current/sql-notify.html). `listen` holds one dedicated connection, outside
 * the pool, and reconnects with backoff when it drops. Messages sent while it was disconnected are lost, so
 * `onConnected` (called after every connection, the first included) is where a cache must be emptied.
 */
const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;
/**
 * PostgreSQL's limit is 8000 bytes per payload (default configuration). Most payloads are ids; the gateway's
 * routed answers to relayed input requests (ADR 0046) are small JSON-RPC responses and need more than 1000.
 */
const MAX_PAYLOAD = 7_900;

function checkChannel(channel: string): void {
  if (!CHANNEL.test(channel)) throw new Error(`invalid notification channel name "${channel}"`);
}

export async function notify(tx: QueryExecutorProvider, channel: string, payload: string): Promise<void> {
  checkChannel(channel);
  if (Buffer.byteLength(payload) > MAX_PAYLOAD) throw new Error('notification payload too large');
  await sql`SELECT pg_notify(${channel}, ${payload})`.execute(tx);
}

export interface ListenOptions {
  connectionString: string;
  channel: string;
  onMessage: (payload: string) => void;
  /** After every (re)connection, once LISTEN is active. */
  onConnected?: () => void;
  /** When an established connection is lost (before the reconnect attempts). */
  onDisconnected?: (error: Error | undefined) => void;
  retryDelayMs?: { min: number; max: number };
}

export interface Listener {
  /** True while LISTEN is active on a live connection. */
  readonly connected: boolean;
  close(): Promise<void>;
}

export function listen(opts: ListenOptions): Listener {
  checkChannel(opts.channel);
  const delays = opts.retryDelayMs ?? { min: 100, max: 5000 };
  let client: pg.Client | undefined;
  let connected = false;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;

  const schedule = () => {
    if (closed) return;
    const delay = Math.min(delays.max, delays.min * 2 ** attempt);
    attempt++;
    timer = setTimeout(() => void connect(), delay);
    timer.unref();
  };

  async function connect(): Promise<void> {
    if (closed) return;
    const c = new pg.Client({
      connectionString: opts.connectionString,
      keepAlive: true,
      application_name: `sprintconnect:listen:${opts.channel}`,
    });
    client = c;
    let dropped = false;
    const drop = (error?: Error) => {
      if (dropped) return;
      dropped = true;
      const was = connected;
      connected = false;
      c.end().catch(() => undefined);
      if (was) opts.onDisconnected?.(error);
      schedule();
    };
    c.on('error', drop);
    c.on('end', () => drop());
    c.on('notification', (m) => {
      if (m.channel === opts.channel) opts.onMessage(m.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${opts.channel}`);
    } catch (e) {
      drop(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (closed || dropped) return;
    connected = true;
    attempt = 0;
    opts.onConnected?.();
  }

  void connect();
  return {
    get connected() {
      return connected;
    },
    async close() {
      closed = true;
      connected = false;
      if (timer !== undefined) clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
