import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, NotCanonicalizable, policyHash } from './jcs.ts';

describe('JCS canonical JSON (RFC 8785)', () => {
  it('serializes the RFC 8785 §3.2.2 sample exactly: numbers, string escapes, literals', () => {
    const input = JSON.parse(
      String.raw`{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]}`,
    );
    expect(canonicalize(input)).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts member names by UTF-16 code units (RFC 8785 §3.2.3 sample)', () => {
    const names = {
      euro: '\u20ac',
      cr: '\r',
      dalet: '\ufb33',
      one: '1',
      emoji: '\ud83d\ude00',
      control: '\u0080',
      umlaut: '\u00f6',
    };
    const input = Object.fromEntries(Object.entries(names).map(([label, name]) => [name, label]));
    // The RFC's order; spelled out as text because Object.keys would list the integer-like "1" first.
    const order = [names.cr, names.one, names.control, names.umlaut, names.euro, names.emoji, names.dalet];
    const expected = `{${order.map((k) => `${JSON.stringify(k)}:${JSON.stringify(input[k])}`).join(',')}}`;
    expect(canonicalize(input)).toBe(expected);
  });

  it('writes -0 as 0 and nested objects without whitespace', () => {
    expect(canonicalize({ b: [-0, { d: 1, c: 2 }], a: 'x' })).toBe('{"a":"x","b":[0,{"c":2,"d":1}]}');
  });

  it('refuses what I-JSON forbids instead of changing it: lone surrogates and non-finite numbers', () => {
    expect(() => canonicalize({ a: '\ud800' })).toThrow(NotCanonicalizable);
    expect(() => canonicalize({ a: [Number.NaN] })).toThrow(/\/a\/0/);
    expect(() => canonicalize({ a: Number.POSITIVE_INFINITY })).toThrow(NotCanonicalizable);
  });

  it('gives one hash whatever the member order or spelling of the same JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const reordered = JSON.parse(JSON.stringify(v, null, 2));
        expect(policyHash(reordered)).toBe(policyHash(v));
        expect(JSON.parse(canonicalize(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it('the policy hash is SHA-256 hex of the canonical UTF-8 bytes', () => {
    const payload = { z: 1, a: ['é'] };
    expect(policyHash(payload)).toBe(createHash('sha256').update('{"a":["é"],"z":1}', 'utf8').digest('hex'));
  });
});
