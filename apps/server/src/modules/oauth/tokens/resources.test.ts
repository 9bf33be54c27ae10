import { describe, expect, it } from 'vitest';
import { issuerOf, protectedResourceMetadataUrl, resourcesOf, scopeVocabulary } from './resources.ts';

describe('resources', () => {
  it('derive the issuer, the two resources and their RFC 9728 metadata URLs from the public URL', () => {
    const base = 'https://sc.example.com';
    expect(issuerOf(base)).toBe('https://sc.example.com/oidc');
    expect(resourcesOf(base)).toEqual({ api: `${base}/v1`, mcp: `${base}/mcp` });
    expect(protectedResourceMetadataUrl(base, `${base}/v1`)).toBe(
      `${base}/.well-known/oauth-protected-resource/v1`,
    );
  });

  it('list every scope word the API understands: levels, type:level and permission names', () => {
    const v = scopeVocabulary({
      'servers:list': { scope: { type: 'servers' } },
      'sso:write': { scope: { type: 'sso' } },
    });
    expect(v).toEqual(
      expect.arrayContaining([
        'read',
        'write',
        'admin',
        'servers:read',
        'servers:admin',
        'sso:write',
        'servers:list',
      ]),
    );
    expect(new Set(v).size).toBe(v.length);
  });
});
