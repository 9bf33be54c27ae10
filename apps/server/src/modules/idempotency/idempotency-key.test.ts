import { describe, expect, it } from 'vitest';
import { answerHeaders, isStorable, parseIdempotencyKey, requestFingerprint } from './idempotency-key.ts';

const K = Buffer.alloc(32, 7);

describe('parseIdempotencyKey', () => {
  it('is absent without the header, and takes a bare or a quoted key as the same key', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).toEqual({
      ok: true,
      key: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    });
    expect(parseIdempotencyKey('"abc"')).toEqual({ ok: true, key: 'abc' });
  });

  it('refuses a repeated header, an empty or overlong key, and characters outside its set', () => {
    for (const bad of [
      ['a', 'b'],
      '',
      '""',
      '"',
      'k'.repeat(256),
      'a b',
      'a\tb',
      'é',
      'a"b',
      'a\\b',
      'a,b',
    ]) {
      expect(parseIdempotencyKey(bad)).toMatchObject({ ok: false });
    }
  });
});

describe('requestFingerprint', () => {
  const fp = (method: string, url: string, body: unknown) => requestFingerprint(K, { method, url, body });

  it('is the same for the same members in another order, and differs by method, path, query or body', () => {
    const a = fp('POST', '/v1/servers', { name: 'x', tags: ['a', 'b'], auth: { type: 'none' } });
    expect(fp('POST', '/v1/servers', { auth: { type: 'none' }, tags: ['a', 'b'], name: 'x' })).toEqual(a);
    expect(fp('POST', '/v1/servers', { name: 'x', tags: ['b', 'a'], auth: { type: 'none' } })).not.toEqual(a);
    expect(fp('POST', '/v1/servers', { name: 'y', tags: ['a', 'b'], auth: { type: 'none' } })).not.toEqual(a);
    expect(
      fp('POST', '/v1/servers?x=1', { name: 'x', tags: ['a', 'b'], auth: { type: 'none' } }),
    ).not.toEqual(a);
    expect(fp('PUT', '/v1/servers', { name: 'x', tags: ['a', 'b'], auth: { type: 'none' } })).not.toEqual(a);
  });

  it('tells no body from an empty object and from null', () => {
    const none = fp('POST', '/v1/x', undefined);
    expect(fp('POST', '/v1/x', {})).not.toEqual(none);
    expect(fp('POST', '/v1/x', null)).not.toEqual(none);
  });

  it('depends on the server key: a stored fingerprint reveals nothing without it', () => {
    const other = requestFingerprint(Buffer.alloc(32, 8), { method: 'POST', url: '/v1/x', body: { a: 1 } });
    expect(other).not.toEqual(fp('POST', '/v1/x', { a: 1 }));
  });
});

describe('isStorable', () => {
  it('keeps 2xx, 3xx and 4xx answers; never 5xx, 429 or an answer with Retry-After', () => {
    expect(isStorable(201, {})).toBe(true);
    expect(isStorable(204, {})).toBe(true);
    expect(isStorable(409, {})).toBe(true);
    expect(isStorable(422, {})).toBe(true);
    expect(isStorable(500, {})).toBe(false);
    expect(isStorable(503, {})).toBe(false);
    expect(isStorable(429, {})).toBe(false);
    expect(isStorable(409, { 'retry-after': '30' })).toBe(false);
  });
});

describe('answerHeaders', () => {
  it('keeps what belongs to the answer and drops what belongs to each response', () => {
    expect(
      answerHeaders({
        'content-type': 'application/json; charset=utf-8',
        location: '/v1/servers/1',
        'cache-control': 'no-store',
        'x-request-id': 'r1',
        ratelimit: '"org";r=5;t=60',
        'content-length': 10,
      }),
    ).toEqual({
      'content-type': 'application/json; charset=utf-8',
      location: '/v1/servers/1',
      'cache-control': 'no-store',
    });
  });
});
