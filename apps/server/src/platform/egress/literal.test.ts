import { describe, expect, it } from 'vitest';
import { isNonCanonicalIPv4, rawAuthority, rawHost, trimUrlInput } from './literal.ts';

describe('trimUrlInput (URL Standard §4.4 step 1)', () => {
  it('strips C0 controls and spaces at both ends and nothing inside', () => {
    expect(trimUrlInput('\u0000\t http://a b/\n\u001f ')).toBe('http://a b/');
  });

  it('keeps the first character above space at either end', () => {
    expect(trimUrlInput('!x!')).toBe('!x!');
    expect(trimUrlInput(' x\u0021 ')).toBe('x!');
  });

  it('leaves nothing of a string of spaces and controls', () => {
    expect(trimUrlInput(' \t\n ')).toBe('');
  });
});

describe('rawAuthority', () => {
  it.each([
    ['http://user@host:80/x', 'user@host:80'],
    ['https:\\\\host\\x', 'host'],
    ['http:host?q', 'host'],
    ['http://host#f', 'host'],
  ])('reads the authority of %s as written: %s', (url, authority) => {
    expect(rawAuthority(url)).toBe(authority);
  });

  it.each(['//host:80/x', '1http://host/', 'no scheme'])('finds no scheme, so no authority, in %s', (url) => {
    expect(rawAuthority(url)).toBeUndefined();
  });
});

describe('rawHost', () => {
  it.each([
    ['host', 'host'],
    ['host:8080', 'host'],
    ['a@b@host:80', 'host'],
    ['user:pw@[::1]:8080', '[::1]'],
    ['[::1', '[::1'],
  ])('reads the host of %s as %s', (authority, host) => {
    expect(rawHost(authority)).toBe(host);
  });
});

describe('isNonCanonicalIPv4', () => {
  it('is true only for an IPv4 host written otherwise than as its dotted quad', () => {
    expect(isNonCanonicalIPv4('127.0.0.1', '0x7f.1')).toBe(true);
    expect(isNonCanonicalIPv4('127.0.0.1', '127.0.0.1')).toBe(false);
    expect(isNonCanonicalIPv4('example.com', 'EXAMPLE.com')).toBe(false);
  });
});
