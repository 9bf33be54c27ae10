import { describe, expect, it } from 'vitest';
import { displayPrefix, generateApiKey, prefixOf } from './api-key-token.ts';

describe('API key prefixes', () => {
  it('a generated key whose prefix starts with h is still shown in the sck_ format', () => {
    expect(displayPrefix('habcdefgh234')).toBe('sck_habcdefgh234_…');
  });

  it('every generated key is shown as sck_<prefix>_… whatever letter its prefix starts with', () => {
    for (let i = 0; i < 500; i++) {
      const { token, prefix } = generateApiKey();
      expect(prefixOf(token)).toBe(prefix);
      expect(displayPrefix(prefix)).toBe(`${token.slice(0, 16)}_…`);
    }
  });

  it('a key outside the sck_ format is shown by its hashed prefix only', () => {
    const prefix = prefixOf('operator-chosen-bootstrap-key-0123456789');
    expect(prefix).toMatch(/^h[0-9a-f]{15}$/);
    expect(displayPrefix(prefix)).toBe(`${prefix}…`);
  });
});
