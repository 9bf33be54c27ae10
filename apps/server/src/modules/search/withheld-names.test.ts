import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FilterCond, holds } from '../authz/index.ts';
import { refusedNames } from './withheld-names.ts';

const server = { id: '0190b8a4-0000-7000-8000-000000000001', name: 's', environment: 'staging', tags: ['x'] };
const NAMES = ['delete_repo', 'get_weather', 'other'];
const atom: fc.Arbitrary<FilterCond> = fc.oneof(
  fc.record({
    op: fc.constant('eq' as const),
    attr: fc.constant('capability.name' as const),
    value: fc.constantFrom(...NAMES),
  }),
  fc.record({
    op: fc.constant('eq' as const),
    attr: fc.constant('capability.kind' as const),
    value: fc.constantFrom('tool', 'prompt'),
  }),
  fc.record({
    op: fc.constant('eq' as const),
    attr: fc.constant('server.environment' as const),
    value: fc.constantFrom('staging', 'production'),
  }),
  fc.record({ op: fc.constant('tag' as const), value: fc.constantFrom('x', 'y') }),
  fc.record({ op: fc.constant('const' as const), value: fc.boolean() }),
);
const { cond } = fc.letrec<{ cond: FilterCond }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.record({
      op: fc.constantFrom('and' as const, 'or' as const),
      args: fc.array(tie('cond'), { maxLength: 3 }),
    }),
    fc.record({ op: fc.constant('not' as const), arg: tie('cond') }),
  ),
}));
const capability = fc.record({
  kind: fc.constantFrom('tool', 'prompt'),
  name: fc.constantFrom(...NAMES, 'unlisted'),
});

describe('refusedNames: the names of every capability a condition refuses', () => {
  it('holds for every capability the condition refuses, whenever it says a set', () => {
    fc.assert(
      fc.property(cond, capability, (c, cap) => {
        const names = refusedNames(c);
        if (names !== undefined && !holds(c, server, cap)) expect(names).toContain(cap.name);
      }),
      { numRuns: 5_000 },
    );
  });

  it('names the capabilities a "deny by name" policy withholds, and says nothing of a policy by kind', () => {
    const not = (arg: FilterCond): FilterCond => ({ op: 'not', arg });
    const named = (value: string): FilterCond => ({ op: 'eq', attr: 'capability.name', value });
    expect(refusedNames(not(named('delete_repo')))).toEqual(['delete_repo']);
    expect(refusedNames({ op: 'and', args: [not(named('b')), not(named('a'))] })).toEqual(['a', 'b']);
    // A server condition and a name: refused only for that name, on some servers.
    const onStaging = not({
      op: 'and',
      args: [{ op: 'eq', attr: 'server.environment', value: 'staging' }, named('x')],
    });
    expect(refusedNames(onStaging)).toEqual(['x']);
    expect(refusedNames(not({ op: 'eq', attr: 'capability.kind', value: 'prompt' }))).toBeUndefined();
    expect(refusedNames({ op: 'const', value: true })).toEqual([]);
  });
});
