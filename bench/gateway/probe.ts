import pg from 'pg';

/**
 * Preloaded into the bench's gateway process (`node --import`): counts the SQL statements that process sends
 * (every pool client is a `pg.Client`) and answers the bench's `stats` message over IPC with them and the
 * process's own CPU time, so the bench reports what the gateway process alone spent per phase.
 */
let statements = 0;
const query = pg.Client.prototype.query as unknown as (...a: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (
  this: pg.Client,
  ...a: unknown[]
) {
  statements++;
  return query.apply(this, a);
};

process.on('message', (m: unknown) => {
  if (m === 'stats') process.send?.({ cpu: process.cpuUsage(), statements });
});
// The IPC channel must not keep the process alive on its own (SIGTERM still stops it as usual).
process.channel?.unref();
