import { describe, expect, it } from 'vitest';
import { createHostGate, DEFAULT_SLOT_CAPS, resolveSlotCaps } from './slots.ts';

describe('slot caps', () => {
  it('defaults to many slots per process with smaller shares per org and per host', () => {
    expect(DEFAULT_SLOT_CAPS.perProcess).toBeGreaterThanOrEqual(32);
    expect(DEFAULT_SLOT_CAPS.perOrg).toBeLessThan(DEFAULT_SLOT_CAPS.perProcess);
    expect(DEFAULT_SLOT_CAPS.perHost).toBeLessThan(DEFAULT_SLOT_CAPS.perOrg);
  });

  it('takes overrides, bounds the org share by the process, and refuses nonsense', () => {
    expect(resolveSlotCaps({ perProcess: 4, perOrg: 10 })).toEqual({ perProcess: 4, perOrg: 4, perHost: 4 });
    expect(() => resolveSlotCaps({ perHost: 0 })).toThrow(/perHost/);
    expect(() => resolveSlotCaps({ perOrg: 1.5 })).toThrow(/perOrg/);
  });
});

describe('the per-host gate', () => {
  it('gives at most perHost slots per host, and each host its own', () => {
    const gate = createHostGate(2);
    const a1 = gate.tryTake('a.example:443');
    const a2 = gate.tryTake('A.example:443');
    expect(a1).toBeDefined();
    expect(a2).toBeDefined();
    expect(gate.tryTake('a.example:443')).toBeUndefined();
    expect(gate.tryTake('b.example:443')).toBeDefined();
    a1?.();
    expect(gate.inUse('a.example:443')).toBe(1);
    expect(gate.tryTake('a.example:443')).toBeDefined();
  });

  it('gives a slot back once, however often release is called', () => {
    const gate = createHostGate(1);
    const release = gate.tryTake('h:1')!;
    release();
    release();
    expect(gate.tryTake('h:1')).toBeDefined();
    expect(gate.tryTake('h:1')).toBeUndefined();
  });
});

describe('waiting for a slot on a busy host', () => {
  it('passes a released slot straight to the first waiter', async () => {
    const gate = createHostGate(1);
    const first = gate.tryTake('h:1')!;
    const waiting = gate.take('h:1', { maxWaitMs: 10_000 });
    first();
    const second = await waiting;
    expect(second).toBeDefined();
    expect(gate.inUse('h:1')).toBe(1);
    second?.();
    expect(gate.inUse('h:1')).toBe(0);
  });

  it('gives up after its wait, and never queues more waiters than the cap', async () => {
    const gate = createHostGate(1);
    gate.tryTake('h:1');
    const waiter = gate.take('h:1', { maxWaitMs: 20 });
    expect(await gate.take('h:1', { maxWaitMs: 10_000 })).toBeUndefined();
    expect(await waiter).toBeUndefined();
  });

  it('stops waiting when the process stops', async () => {
    const gate = createHostGate(1);
    gate.tryTake('h:1');
    const stop = new AbortController();
    const waiter = gate.take('h:1', { maxWaitMs: 10_000, signal: stop.signal });
    stop.abort();
    expect(await waiter).toBeUndefined();
  });
});
