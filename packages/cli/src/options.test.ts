import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { collectList, positiveInt } from './options.ts';

describe('positiveInt', () => {
  it('accepts whole numbers from 1', () => {
    expect(positiveInt('1')).toBe(1);
    expect(positiveInt('200')).toBe(200);
  });

  it.each(['0', '-1', '1.5', 'abc', '', '1e3', '9999999999'])('rejects %j as a usage error', (v) => {
    expect(() => positiveInt(v)).toThrow(InvalidArgumentError);
  });
});

describe('collectList', () => {
  it('collects repeated flags and splits comma-separated values, dropping blanks', () => {
    expect(collectList('c, d,', collectList('a', collectList('b')))).toEqual(['b', 'a', 'c', 'd']);
  });
});
