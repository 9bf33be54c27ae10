import { describe, expect, it } from 'vitest';
import { badStrings, strictUtf8, urlProblem } from './input-hygiene.ts';

describe('strings the database cannot store', () => {
  it('finds NUL and lone surrogates in values and names, with RFC 6901 pointers', () => {
    const found = badStrings(
      { name: 'a\u0000b', tags: ['ok', 'x\ud800'], 'a/b~c': { 'k\udc00': 'fine' }, n: 1, nil: null },
      'body',
    );
    expect(found).toEqual([
      { location: 'body', pointer: '/a~1b~0c/k\udc00', detail: expect.stringMatching(/^name .*surrogate/) },
      { location: 'body', pointer: '/name', detail: expect.stringContaining('NUL') },
      { location: 'body', pointer: '/tags/1', detail: expect.stringContaining('surrogate') },
    ]);
  });

  it('accepts well-formed text, including U+FFFD and astral characters sent on purpose', () => {
    expect(badStrings({ a: 'caf\u00e9 \ud83d\ude00 \ufffd', b: [''] }, 'query')).toEqual([]);
    expect(badStrings(undefined, 'body')).toEqual([]);
  });

  it('walks a deeply nested body without exhausting the stack', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(badStrings(deep, 'body')).toHaveLength(1);
  });
});

describe('decoding', () => {
  it('refuses bytes that are not UTF-8 instead of replacing them with U+FFFD', () => {
    expect(strictUtf8(Buffer.from('café', 'utf8'))).toBe('café');
    expect(strictUtf8(Buffer.from([0x61, 0xff]))).toBeUndefined();
    expect(strictUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBeUndefined();
    expect(strictUtf8(Buffer.from([0xc0, 0xaf]))).toBeUndefined();
  });

  it('reads a request target only when its escapes are whole and decode to UTF-8', () => {
    expect(urlProblem('/v1/servers?q=caf%C3%A9&limit=2')).toBeUndefined();
    expect(urlProblem('/v1/servers/0190a6f0-0000-7000-8000-000000000000')).toBeUndefined();
    expect(urlProblem('/v1/servers?q=%E0%A4%A')).toMatch(/malformed/);
    expect(urlProblem('/v1/servers?q=%zz')).toMatch(/malformed/);
    expect(urlProblem('/v1/servers?q=%ff')).toMatch(/not UTF-8/);
    expect(urlProblem('/v1/x%ED%A0%80')).toMatch(/not UTF-8/);
    expect(urlProblem('/v1/servers?q=caf\u00e9')).toMatch(/not percent-encoded/);
  });
});
