import { describe, expect, it } from 'vitest';
import type { Principal } from '../identity/index.ts';
import { authorize } from './authorize.ts';

const key = (scopes: string[]): Principal => ({
  kind: 'api_key',
  id: 'k',
  orgId: 'o1',
  name: 'k',
  scopes,
  roles: [],
  authMethod: 'api_key',
});
const org = { type: 'org', orgId: 'o1' } as const;

describe('authorize (scope seam)', () => {
  it('lets a read key list servers but not create them', () => {
    expect(authorize(key(['read']), 'servers:list', org).allowed).toBe(true);
    const d = authorize(key(['read']), 'servers:create', org);
    expect(d).toMatchObject({ allowed: false, required: 'servers:write' });
  });

  it('treats admin as including write and read', () => {
    expect(authorize(key(['admin']), 'servers:create', org).allowed).toBe(true);
    expect(authorize(key(['admin']), 'jobs:read', org).allowed).toBe(true);
  });

  it('limits a resource-narrowed scope to its resource type', () => {
    expect(authorize(key(['servers:write']), 'servers:create', org).allowed).toBe(true);
    expect(authorize(key(['servers:write']), 'jobs:read', org).allowed).toBe(false);
  });

  it('denies any resource of another org, whatever the scopes', () => {
    expect(authorize(key(['admin']), 'servers:read', { type: 'server', orgId: 'o2', id: 's' }).allowed).toBe(
      false,
    );
  });

  it('denies unknown scope words (fail closed)', () => {
    expect(authorize(key(['superuser']), 'servers:read', org).allowed).toBe(false);
  });
});
