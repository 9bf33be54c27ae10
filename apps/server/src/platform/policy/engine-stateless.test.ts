import { describe, expect, it } from 'vitest';
import { createPolicyEngine } from './engine.ts';

const schema = `namespace S {
  entity U = { n: Long };
  entity D;
  action "read" appliesTo { principal: [U], resource: [D], context: {} };
}`;
const engine = createPolicyEngine({ schemaName: 'engine-stateless-test', schema });
const req = (n: number) => ({
  principal: { type: 'S::U', id: 'u' },
  action: { type: 'S::Action', id: 'read' },
  resource: { type: 'S::D', id: 'd' },
  context: {},
  entities: [{ uid: { type: 'S::U', id: 'u' }, attrs: { n }, parents: [] }],
});

describe('stateless decisions (dry runs) fail closed like loaded ones', () => {
  it('decides on the given policies and names the determining ones', () => {
    const set = { p: 'permit (principal, action, resource) when { principal.n > 0 };' };
    expect(engine.decideWith(set, req(1))).toEqual({ allowed: true, reasons: ['p'], errors: [] });
    const forbidden = engine.decideWith({ ...set, f: 'forbid (principal, action, resource);' }, req(1));
    expect(forbidden).toEqual({ allowed: false, reasons: ['f'], errors: [] });
  });

  it('denies when the policies do not validate, naming the problem', () => {
    const d = engine.decideWith(
      { p: 'permit (principal, action, resource) when { principal.nope };' },
      req(1),
    );
    expect(d.allowed).toBe(false);
    expect(d.errors.join()).toMatch(/^p: /);
  });

  it('denies a request the schema refuses', () => {
    const d = engine.decideWith(
      { p: 'permit (principal, action, resource);' },
      {
        ...req(1),
        action: { type: 'S::Action', id: 'delete' },
      },
    );
    expect(d.allowed).toBe(false);
    expect(d.errors.length).toBeGreaterThan(0);
  });

  it('loads nothing: a set id it was never given stays unknown', () => {
    engine.decideWith({ p: 'permit (principal, action, resource);' }, req(1));
    expect(engine.decide('dry-run', req(1)).allowed).toBe(false);
  });
});
