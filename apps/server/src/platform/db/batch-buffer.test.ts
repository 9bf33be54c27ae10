import { describe, expect, it } from 'vitest';
import { type BatchBufferOptions, createBatchBuffer } from './batch-buffer.ts';

/** A timer the test fires by hand: no real time passes in these tests. */
function manualTimer() {
  let tick: (() => void) | undefined;
  let cancelled = false;
  return {
    every: (_ms: number, fn: () => void) => {
      tick = fn;
      return () => {
        cancelled = true;
      };
    },
    fire: () => tick?.(),
    get cancelled() {
      return cancelled;
    },
  };
}

/** A writer that records each batch it is handed, and fails while `down` is set. */
function store() {
  const batches: number[][] = [];
  const s = {
    down: false,
    batches,
    get rows() {
      return batches.flat();
    },
    async write(rows: readonly number[]): Promise<readonly number[]> {
      if (s.down) throw new Error('database unavailable');
      batches.push([...rows]);
      return [];
    },
  };
  return s;
}

const settle = () => new Promise((r) => setImmediate(r));

/** A buffer over `write` with a hand-fired timer unless the test passes its own; batches of 10, at most 100. */
const buffer = <T>(write: BatchBufferOptions<T>['write'], over: Partial<BatchBufferOptions<T>> = {}) =>
  createBatchBuffer<T>({ write, flushMs: 1000, batchRows: 10, maxBuffered: 100, ...manualTimer(), ...over });

describe('batch buffer', () => {
  it('writes nothing until the timer fires, then everything buffered in batches of batchRows', async () => {
    const db = store();
    const timer = manualTimer();
    const b = buffer(db.write, { batchRows: 4, ...timer });
    for (let i = 0; i < 3; i++) b.add(i);
    await settle();
    expect(db.batches).toEqual([]);
    expect(b.buffered).toBe(3);
    timer.fire();
    await b.flush();
    expect(db.batches).toEqual([[0, 1, 2]]);
    expect(b.buffered).toBe(0);
  });

  it('a full batch is written without waiting for the timer, in one write call', async () => {
    const db = store();
    const b = buffer(db.write, { batchRows: 4 });
    for (let i = 0; i < 4; i++) b.add(i);
    await settle();
    expect(db.batches).toEqual([[0, 1, 2, 3]]);
  });

  it('many rows become few writes: 1000 rows in batches of 250 are 4 write calls', async () => {
    const db = store();
    const b = buffer(db.write, { batchRows: 250, maxBuffered: 5000 });
    for (let i = 0; i < 1000; i++) b.add(i);
    await b.flush();
    expect(db.batches.map((x) => x.length)).toEqual([250, 250, 250, 250]);
    expect(db.rows).toEqual([...Array(1000).keys()]);
  });

  it('rows a failed write could not take are kept and written, in order, once the database is back', async () => {
    const db = store();
    const timer = manualTimer();
    const errors: unknown[] = [];
    const b = buffer(db.write, { ...timer, onError: (e) => errors.push(e) });
    db.down = true;
    for (let i = 0; i < 5; i++) b.add(i);
    await b.flush();
    expect(errors).toHaveLength(1);
    expect(b.buffered).toBe(5);
    for (let i = 5; i < 8; i++) b.add(i);
    db.down = false;
    timer.fire();
    await b.flush();
    expect(db.rows).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(b.dropped).toBe(0);
  });

  it('while writes fail, only the timer retries: a full buffer does not start a write per added row', async () => {
    let attempts = 0;
    const b = buffer<number>(
      async () => {
        attempts++;
        throw new Error('down');
      },
      { batchRows: 2, maxBuffered: 1000 },
    );
    b.add(0);
    b.add(1); // full: one write, which fails
    await b.flush();
    const after = attempts;
    for (let i = 2; i < 200; i++) b.add(i);
    await settle();
    expect(attempts).toBe(after);
    expect(b.buffered).toBe(200);
  });

  it('never holds more than maxBuffered rows: past it the oldest are dropped and counted', async () => {
    const db = store();
    const drops: number[] = [];
    const b = buffer(db.write, { maxBuffered: 20, onDrop: (n) => drops.push(n) });
    db.down = true;
    for (let i = 0; i < 50; i++) b.add(i);
    expect(b.buffered).toBe(20); // bounded as rows arrive, not only when a write fails
    await b.flush();
    expect(b.buffered).toBe(20);
    expect(b.dropped).toBe(30);
    expect(drops.reduce((a, n) => a + n, 0)).toBe(30);
    db.down = false;
    await b.flush();
    expect(db.rows).toEqual([...Array(20).keys()].map((i) => i + 30));
  });

  it('rows put back after a failed write count against the bound with those added meanwhile (the oldest go)', async () => {
    let fail: (e: Error) => void = () => undefined;
    const b = buffer<number>(
      () =>
        new Promise((_, reject) => {
          fail = reject;
        }),
      { batchRows: 20, maxBuffered: 20 },
    );
    for (let i = 0; i < 15; i++) b.add(i);
    const writing = b.flush();
    await settle();
    for (let i = 15; i < 25; i++) b.add(i); // 10 more while the 15 are being written
    fail(new Error('down'));
    await writing;
    expect(b.buffered).toBe(20);
    expect(b.dropped).toBe(5);
  });

  it('flush requests while a write is under way share one queued flush (the chain does not grow)', async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const b = buffer<number>(
      async () => {
        calls++;
        await new Promise<void>((r) => {
          release = r;
        });
        return [];
      },
      { batchRows: 1000, maxBuffered: 1000 },
    );
    b.add(1);
    const first = b.flush();
    await settle();
    b.add(2);
    const queued = [b.flush(), b.flush(), b.flush()];
    expect(new Set(queued).size).toBe(1);
    release();
    await first;
    await settle();
    release();
    await queued[0];
    expect(calls).toBe(2);
  });

  it('stop writes what is buffered, cancels the timer, and counts later rows as dropped', async () => {
    const db = store();
    const timer = manualTimer();
    const b = buffer(db.write, timer);
    b.add(1);
    b.add(2);
    await b.stop();
    expect(db.rows).toEqual([1, 2]);
    expect(timer.cancelled).toBe(true);
    b.add(3);
    expect(b.dropped).toBe(1);
    expect(b.buffered).toBe(0);
  });

  it('stop with the database down counts the rows it could not write as dropped', async () => {
    const db = store();
    const b = buffer(db.write);
    db.down = true;
    b.add(1);
    await b.stop();
    expect(b.dropped).toBe(1);
  });

  it('rejects a bound smaller than one batch', () => {
    expect(() => buffer(async () => [], { maxBuffered: 5 })).toThrow(/batchRows/);
  });
});
