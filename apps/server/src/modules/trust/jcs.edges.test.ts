import { describe, expect, it } from 'vitest';
import { canonicalize, NotCanonicalizable } from './jcs.ts';

function refusal(value: unknown): NotCanonicalizable {
  try {
    canonicalize(value);
  } catch (e) {
    if (e instanceof NotCanonicalizable) return e;
    throw e;
  }
  throw new Error('expected NotCanonicalizable');
}

describe('JCS refusals name where the value is, as a JSON Pointer (RFC 6901)', () => {
  it('points at the value inside arrays and objects, escaping ~ and / in member names', () => {
    expect(refusal({ a: [1, Number.NaN] }).path).toBe('/a/1');
    expect(refusal({ 'x/y': { 'm~n': Number.POSITIVE_INFINITY } }).path).toBe('/x~1y/m~0n');
  });

  it('says / for the root and what is wrong', () => {
    const e = refusal(Number.NaN);
    expect(e.message).toBe('/: a number is not finite');
    expect(e.name).toBe('NotCanonicalizable');
    expect(refusal({ a: '\udc00' }).message).toBe('/a: a string holds a lone surrogate (not I-JSON)');
  });

  it('refuses values that are not JSON data, naming their type', () => {
    expect(refusal({ n: 1n }).message).toBe('/n: a bigint is not JSON data');
    expect(refusal([() => 1]).message).toBe('/0: a function is not JSON data');
    expect(refusal(Symbol('s')).message).toBe('/: a symbol is not JSON data');
  });

  it('leaves out members whose value is undefined, as JSON.stringify does', () => {
    expect(canonicalize({ b: 1, a: undefined })).toBe('{"b":1}');
  });
});
