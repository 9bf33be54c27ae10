import { describe, expect, it } from 'vitest';
import { REDACTABLE_SERVER_FIELDS, redactServer } from './redaction.ts';
import type { ServerView } from './server-view.ts';

const view = {
  id: 'id-1',
  name: 'billing',
  url: 'https://billing.example.com/mcp',
  description: 'internal',
  tags: ['finance'],
  auth: { type: 'bearer' },
  lastError: null,
  environment: 'production',
} as unknown as ServerView;

describe('redact obligations on server views', () => {
  it('nulls the named fields and lists them, sorted and once each', () => {
    expect(redactServer(view, { redact: ['url', 'description', 'url'] })).toMatchObject({
      url: null,
      description: null,
      tags: ['finance'],
      redacted: ['description', 'url'],
    });
  });

  it('leaves the view as it is (no `redacted`) when nothing redactable is asked', () => {
    expect(redactServer(view, { redact: [] })).toBe(view);
    expect(redactServer(view, undefined)).toBe(view);
    expect(redactServer(view, { redact: ['id', 'name'] })).toBe(view);
  });

  it('can withhold every redactable field but never the id, name or environment', () => {
    const out = redactServer(view, { redact: [...REDACTABLE_SERVER_FIELDS, 'id', 'name', 'environment'] });
    for (const f of REDACTABLE_SERVER_FIELDS) expect(out[f]).toBeNull();
    expect(out).toMatchObject({ id: 'id-1', name: 'billing', environment: 'production' });
  });
});
