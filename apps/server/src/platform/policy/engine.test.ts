import { describe, expect, it } from 'vitest';
import { createPolicyEngine } from './engine.ts';
import { lineColumnAt } from './source-lines.ts';

const schema = `namespace T {
  entity U = { n: Long };
  entity D;
  action "read" appliesTo { principal: [U], resource: [D], context: {} };
}`;
const engine = createPolicyEngine({ schemaName: 'engine-test', schema });
const req = (n: number) => ({
  principal: { type: 'T::U', id: 'u' },
  action: { type: 'T::Action', id: 'read' },
  resource: { type: 'T::D', id: 'd' },
  context: {},
  entities: [{ uid: { type: 'T::U', id: 'u' }, attrs: { n }, parents: [] }],
});

describe('the Cedar wrapper fails closed', () => {
  it('allows what a loaded permit covers and names the policy', () => {
    expect(
      engine.load('s1', { p: 'permit (principal, action, resource) when { principal.n > 0 };' }),
    ).toEqual([]);
    expect(engine.decide('s1', req(1))).toEqual({ allowed: true, reasons: ['p'], errors: [] });
    expect(engine.decide('s1', req(0)).allowed).toBe(false);
  });

  it('denies on a policy set that was never loaded', () => {
    const d = engine.decide('never-loaded', req(1));
    expect(d.allowed).toBe(false);
    expect(d.errors.length).toBeGreaterThan(0);
  });

  it('denies a request the schema refuses (unknown action)', () => {
    engine.load('s2', { p: 'permit (principal, action, resource);' });
    const d = engine.decide('s2', { ...req(1), action: { type: 'T::Action', id: 'delete' } });
    expect(d).toMatchObject({ allowed: false });
    expect(d.errors.join()).toMatch(/delete/);
  });

  it('denies when any policy errors during evaluation, even if another permits', () => {
    engine.load('s3', {
      p: 'permit (principal, action, resource);',
      boom: 'forbid (principal, action, resource) when { principal.n * 4611686018427387904 == 1 };',
    });
    const d = engine.decide('s3', req(2));
    expect(d.allowed).toBe(false);
    expect(d.errors[0]).toMatch(/^boom: /);
  });

  it('reports parse and validation problems per policy with line and column, and loads nothing then', () => {
    const problems = engine.load('s4', {
      ok: 'permit (principal, action, resource);',
      bad: 'permit (principal, action, resource)\nwhen { principal.missing == 1 };',
      broken: 'permit (principal,\n  action,\n  resource) when { ;',
    });
    expect(problems.find((p) => p.policyId === 'broken')).toMatchObject({ line: 3 });
    expect(engine.decide('s4', req(1)).allowed).toBe(false);
    const invalid = engine.check({
      bad: 'permit (principal, action, resource)\nwhen { principal.missing == 1 };',
    });
    expect(invalid[0]).toMatchObject({ policyId: 'bad', line: 2 });
  });

  it('unloading a set leaves it allowing nothing', () => {
    engine.load('s5', { p: 'permit (principal, action, resource);' });
    expect(engine.decide('s5', req(1)).allowed).toBe(true);
    engine.unload('s5');
    expect(engine.decide('s5', req(1)).allowed).toBe(false);
  });
});

describe('lineColumnAt', () => {
  it('counts lines and columns from 1', () => {
    expect(lineColumnAt('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumnAt('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
