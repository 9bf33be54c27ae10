import { describe, expect, it } from 'vitest';
import { templatePattern } from './resource-templates.ts';

describe('RFC 6570 level-1 template matching (ADR 0047)', () => {
  it('a simple {var} matches one path segment, literals match themselves', () => {
    const re = templatePattern('demo://resource/dynamic/text/{resourceId}');
    expect(re?.test('demo://resource/dynamic/text/7')).toBe(true);
    expect(re?.test('demo://resource/dynamic/text/')).toBe(false);
    expect(re?.test('demo://resource/dynamic/text/7/more')).toBe(false);
    expect(re?.test('demo://resource/dynamic/blob/7')).toBe(false);
    expect(templatePattern('test://template/{id}/data')?.test('test://template/42/data')).toBe(true);
    // A regex metacharacter in the literal part is literal.
    expect(templatePattern('a.b/{x}')?.test('aXb/1')).toBe(false);
  });

  it('templates with operators or several variables in one expression are not matched at all', () => {
    for (const t of ['file:///{+path}', 'search{?q}', 'x/{a,b}', 'x/{/seg}', 'broken/{x']) {
      expect(templatePattern(t), t).toBeNull();
    }
  });
});
