import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERIC_ERRORS } from '../kernel/index.ts';
import { assembleCatalogues, ERRORS } from './error-catalogue.ts';

describe('error catalogue', () => {
  const doc = readFileSync(resolve(import.meta.dirname, '../../../../docs/errors.md'), 'utf8');
  const rows = new Map(
    [...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| ([^|]+) \|/gm)].map((m) => [
      m[1]!,
      { status: Number(m[2]), title: m[3]!.trim() },
    ]),
  );

  it('docs/errors.md lists every code with its status and title, and nothing else', () => {
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(Object.entries(ERRORS).map(([c, i]) => [c, { status: i.status, title: i.title }])),
    );
  });

  it('every code maps to an HTTP error status', () => {
    for (const info of Object.values(ERRORS)) expect(info.status).toBeGreaterThanOrEqual(400);
  });

  it('a code declared by two owners is refused, not silently overridden', () => {
    expect(() =>
      assembleCatalogues({ kernel: GENERIC_ERRORS, other: { forbidden: { status: 401, title: 'Nope' } } }),
    ).toThrow('error code forbidden is declared by both kernel and other');
  });
});
