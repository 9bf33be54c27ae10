import type pg from 'pg';

/** Counts the statements the app role's pool runs (observing pg's own clients, not replacing them). */
export function countQueries(pool: pg.Pool): { count(): number; texts(): string[]; reset(): void } {
  const seen = new WeakSet<pg.PoolClient>();
  let texts: string[] = [];
  pool.on('acquire', (client) => {
    if (seen.has(client)) return;
    seen.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const q = args[0];
      texts.push(typeof q === 'string' ? q : String((q as { text?: string }).text));
      return query(...args);
    };
  });
  return { count: () => texts.length, texts: () => texts, reset: () => (texts = []) };
}
