import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorHeaders } from '../../http/problem-headers.ts';
import { isAppError } from '../../kernel/index.ts';
import { createOrgGate } from './org-gate.ts';
import { quotaBusy } from './quotas.errors.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A turn that ends when the test says so. */
function held() {
  let end: () => void = () => undefined;
  const done = new Promise<void>((r) => {
    end = r;
  });
  return { done, end };
}

describe('the org gate', () => {
  it('gives one org one turn at a time, in arrival order', async () => {
    const gate = createOrgGate({ maxWaitMs: 10_000, busy: quotaBusy });
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    const turns = Array.from({ length: 5 }, (_, i) =>
      gate.run('org-a', async () => {
        inside++;
        most = Math.max(most, inside);
        await Promise.resolve();
        order.push(i);
        inside--;
      }),
    );
    await Promise.all(turns);
    expect(most).toBe(1);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('does not make another org wait', async () => {
    const gate = createOrgGate({ maxWaitMs: 10_000, busy: quotaBusy });
    const a = held();
    const first = gate.run('org-a', () => a.done);
    let bRan = false;
    await gate.run('org-b', async () => {
      bRan = true;
    });
    expect(bRan).toBe(true);
    a.end();
    await first;
  });

  it('passes the turn on when a turn fails', async () => {
    const gate = createOrgGate({ maxWaitMs: 10_000, busy: quotaBusy });
    const failed = gate.run('org-a', async () => {
      throw new Error('boom');
    });
    const next = gate.run('org-a', async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });

  it('refuses a waiter with 429 quota_busy after maxWaitMs, and the queue moves on without it', async () => {
    const gate = createOrgGate({ maxWaitMs: 1_000, busy: quotaBusy });
    const a = held();
    const first = gate.run('org-a', () => a.done);
    const late = gate.run('org-a', async () => 'late ran').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    const refused = await late;
    expect(isAppError(refused) && refused.code).toBe('quota_busy');
    expect(isAppError(refused) && errorHeaders(refused)['retry-after']).toBe('1');
    // A waiter that arrives now gets the next turn once the first ends.
    const next = gate.run('org-a', async () => 'next ran');
    a.end();
    await first;
    await expect(next).resolves.toBe('next ran');
  });
});
