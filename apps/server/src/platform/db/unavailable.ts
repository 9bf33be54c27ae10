/**
 * Is this error "the database cannot be reached right now" rather than a fault in the request or in our code?
 * Those are answered 503 `database_unavailable` with Retry-After, never 500 (issue 8 point 15), and they end on
 * their own once PostgreSQL is back (the pools open new connections on the next checkout).
 *
 * - SQLSTATE class 08 (connection exception), 57P01 admin_shutdown (fast shutdown, pg_terminate_backend),
 *   57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, in recovery), 53300 too_many_connections
 *   (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 * - Socket errors from connecting or a connection that broke (ECONNREFUSED while the server is down, ...), on
 *   the error itself only: node-postgres passes them on unwrapped, while an outbound HTTP failure wraps the same
 *   codes (`fetch failed` with a cause) and is not a database outage.
 * - node-postgres reports a dropped connection and a pool wait that timed out by message only, without a code;
 *   these strings are its own, stable for years (pg/lib/client.js, pg-pool/index.js), so we match them exactly.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const PG_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
]);

function hasCode(e: unknown, codes: (code: string) => boolean): boolean {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && codes(code);
}

const isSqlState = (code: string) => SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code);

function fromPostgres(e: unknown): boolean {
  if (hasCode(e, isSqlState)) return true;
  const message = typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined;
  return typeof message === 'string' && PG_MESSAGES.has(message);
}

export function isDatabaseUnavailable(err: unknown): boolean {
  if (hasCode(err, (c) => SOCKET_CODES.has(c))) return true;
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (e === undefined || e === null || seen.has(e)) continue;
    seen.add(e);
    if (fromPostgres(e)) return true;
    if (typeof e === 'object') {
      queue.push((e as { cause?: unknown }).cause);
      const inner = (e as { errors?: unknown }).errors; // AggregateError
      if (Array.isArray(inner)) queue.push(...inner);
    }
  }
  return false;
}
