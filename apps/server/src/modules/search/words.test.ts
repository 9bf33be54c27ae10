import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nameWords } from './words.ts';

// Realistic name characters: ASCII letters and digits, the separators tool authors use, and a few non-ASCII
// letters (full Unicode has letters whose case mapping depends on context, such as the final sigma).
const nameChar = fc.constantFrom(...'abcxyzABCXYZ019_-./ :éÉßü天'.split(''));
const anyName = fc.string({ unit: nameChar, maxLength: 40 });
// Two letters first: `a0A0` or `xYZ` are ambiguous even to a reader.
const lowerWord = fc.stringMatching(/^[a-z]{2,8}[0-9]{0,2}$/);
const words = fc.array(lowerWord, { minLength: 1, maxLength: 6 });
const capitalize = (w: string) => w[0]!.toUpperCase() + w.slice(1);

describe('nameWords', () => {
  it.each([
    ['get_current_weather', ['get', 'current', 'weather']],
    ['get-current-weather', ['get', 'current', 'weather']],
    ['weather.current', ['weather', 'current']],
    ['files/read', ['files', 'read']],
    ['search web', ['search', 'web']],
    ['getCurrentWeather', ['get', 'current', 'weather']],
    ['GetCurrentWeather', ['get', 'current', 'weather']],
    ['HTTPServer', ['http', 'server']],
    ['XMLHttpRequest', ['xml', 'http', 'request']],
    ['utf8Decode', ['utf8', 'decode']],
    ['sha256', ['sha256']],
    ['SHA256', ['sha256']],
    ['base64Encode', ['base64', 'encode']],
    ['file:///var/log/app.log', ['file', 'var', 'log', 'app', 'log']],
    ['__init__', ['init']],
    ['WEATHER', ['weather']],
    ['', []],
    ['_-./ ', []],
  ])('splits %j into %j', (name, expected) => {
    expect(nameWords(name)).toEqual(expected);
  });

  it('returns only non-empty lower-case words free of separators', () => {
    fc.assert(
      fc.property(anyName, (name) => {
        for (const w of nameWords(name)) {
          expect(w).not.toBe('');
          expect(w).toBe(w.toLowerCase());
          expect(w).toMatch(/^[\p{L}\p{M}\p{N}]+$/u);
        }
      }),
    );
  });

  it('keeps every letter and digit, in order', () => {
    fc.assert(
      fc.property(anyName, (name) => {
        expect(nameWords(name).join('')).toBe(name.replace(/[^\p{L}\p{M}\p{N}]/gu, '').toLowerCase());
      }),
    );
  });

  it('is stable: splitting the words joined by a separator gives the same words', () => {
    fc.assert(
      fc.property(anyName, fc.constantFrom('_', '-', '.', '/', ' '), (name, sep) => {
        const once = nameWords(name);
        expect(nameWords(once.join(sep))).toEqual(once);
      }),
    );
  });

  it('recovers the words of snake_case, kebab-case, dotted, slashed and spaced names', () => {
    fc.assert(
      fc.property(words, fc.constantFrom('_', '-', '.', '/', ' ', '__'), (ws, sep) => {
        expect(nameWords(ws.join(sep))).toEqual(ws);
      }),
    );
  });

  it('recovers the words of camelCase, PascalCase and SCREAMING_CASE names', () => {
    fc.assert(
      fc.property(words, (ws) => {
        const pascal = ws.map(capitalize).join('');
        expect(nameWords(ws[0] + pascal.slice(capitalize(ws[0]!).length))).toEqual(ws);
        expect(nameWords(pascal)).toEqual(ws);
        expect(nameWords(ws.map((w) => w.toUpperCase()).join('_'))).toEqual(ws);
      }),
    );
  });

  it('ignores case: a name and its lower-case, separator-joined words split alike', () => {
    fc.assert(
      fc.property(words, (ws) => {
        const camel = ws[0] + ws.slice(1).map(capitalize).join('');
        expect(nameWords(camel)).toEqual(nameWords(ws.join('_')));
      }),
    );
  });
});
