import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CapabilityFacts, FilterCond, ServerAttr, ServerFacts } from '../authz/index.ts';
import { and, assuming, holds, not } from './residual-filter.ts';

const ID = '0190b8a4-0000-7000-8000-000000000001';
const server = fc.record({
  id: fc.constantFrom(ID, '0190b8a4-0000-7000-8000-000000000002'),
  name: fc.constantFrom('a', 'b'),
  environment: fc.constantFrom('development', 'production'),
  tags: fc.subarray(['x', 'y']),
});
const capability = fc.record({ kind: fc.constantFrom('tool', 'prompt'), name: fc.constantFrom('p', 'q') });

const serverAtom: fc.Arbitrary<FilterCond<ServerAttr>> = fc.oneof(
  fc.record({
    op: fc.constant('eq' as const),
    attr: fc.constant('server.id' as const),
    value: fc.constant(ID),
  }),
  fc.record({
    op: fc.constant('eq' as const),
    attr: fc.constant('server.name' as const),
    value: fc.constantFrom('a', 'b'),
  }),
  fc.record({
    op: fc.constant('eq' as const),
    attr: fc.constant('server.environment' as const),
    value: fc.constantFrom('development', 'production'),
  }),
  fc.record({ op: fc.constant('tag' as const), value: fc.constantFrom('x', 'y') }),
);
const anyAtom: fc.Arbitrary<FilterCond> = fc.oneof(
  serverAtom,
  fc.record({
    op: fc.constant('eq' as const),
    attr: fc.constant('capability.name' as const),
    value: fc.constantFrom('p', 'q'),
  }),
  fc.record({
    op: fc.constant('eq' as const),
    attr: fc.constant('capability.kind' as const),
    value: fc.constantFrom('tool', 'prompt'),
  }),
);
const { cond } = fc.letrec<{ cond: FilterCond }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anyAtom,
    fc.record({
      op: fc.constantFrom('and' as const, 'or' as const),
      args: fc.array(tie('cond'), { maxLength: 3 }),
    }),
    fc.record({ op: fc.constant('not' as const), arg: tie('cond') }),
  ),
}));
/** What a server's condition typically is: a conjunction of tests and negated tests. */
const given = fc
  .array(fc.tuple(fc.boolean(), serverAtom), { maxLength: 3 })
  .map((xs) => and(...xs.map(([positive, a]) => (positive ? a : not(a)))));

describe('assuming: a capability condition simplified under its server condition', () => {
  it('agrees with the whole condition on every server the server condition admits', () => {
    fc.assert(
      fc.property(cond, given, server, capability, (c, g, s: ServerFacts, cap: CapabilityFacts) => {
        fc.pre(holds(g, s));
        expect(holds(assuming(c, g), s, cap)).toBe(holds(c, s, cap));
      }),
      { numRuns: 2_000 },
    );
  });

  it('drops the tests the server condition settles, and an equality on a value it fixes otherwise', () => {
    const prod = { op: 'eq', attr: 'server.environment', value: 'production' } as const;
    const repo = { op: 'eq', attr: 'capability.name', value: 'delete_repo' } as const;
    expect(assuming(and(not(prod), not(repo)), not(prod))).toEqual(not(repo));
    const dev = { op: 'eq', attr: 'server.environment', value: 'development' } as const;
    expect(assuming(and(not(prod), not(repo)), dev)).toEqual(not(repo));
    // Forbids read as `not (forbid1 or forbid2)`: each is denied.
    const team = { op: 'tag', value: 'team-3' } as const;
    expect(assuming(and(not(prod), not(repo)), not({ op: 'or', args: [prod, team] }))).toEqual(not(repo));
  });
});
