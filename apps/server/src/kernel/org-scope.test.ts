import { describe, expect, it } from 'vitest';
import { orgScopedKey, orgScopedPath } from './org-scope.ts';

const A = '01a2139f-56c9-7730-b6a3-27b6faec8d97';
const B = '01a2139f-4e39-7e1d-a91a-8b54c995320e';

describe('orgScopedKey (story 8.5)', () => {
  it('puts the org first, then the parts', () => {
    expect(orgScopedKey(A, 'quota', 'servers')).toBe(`org:${A}:quota:servers`);
  });
  it('differs between orgs for the same parts', () => {
    expect(orgScopedKey(A, 'x')).not.toBe(orgScopedKey(B, 'x'));
  });
  it('escapes separators, so a part cannot forge another org or another key', () => {
    expect(orgScopedKey(A, `x:org:${B}`)).not.toContain(`:org:${B}`);
    expect(orgScopedKey(A, 'a:b')).not.toBe(orgScopedKey(A, 'a', 'b'));
  });
  it('is the same for an org id in upper case', () => {
    expect(orgScopedKey(A.toUpperCase(), 'k')).toBe(orgScopedKey(A, 'k'));
  });
  it('refuses something that is not an org id', () => {
    expect(() => orgScopedKey('', 'k')).toThrow(/not an org id/);
    expect(() => orgScopedKey('*', 'k')).toThrow(/not an org id/);
  });
});

describe('orgScopedPath (story 8.5)', () => {
  it('partitions files under orgs/<org>/', () => {
    expect(orgScopedPath('/data', A, 'exports', 'a.json')).toBe(`/data/orgs/${A}/exports/a.json`);
  });
  it('keeps every part one segment: no traversal into another org', () => {
    expect(orgScopedPath('/data', A, `../${B}/x`)).toBe(`/data/orgs/${A}/..%2F${B}%2Fx`);
    expect(() => orgScopedPath('/data', A, '..')).toThrow(/not a path segment/);
    expect(() => orgScopedPath('/data', A, '')).toThrow(/not a path segment/);
  });
});
