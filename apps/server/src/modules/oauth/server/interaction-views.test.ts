import { describe, expect, it } from 'vitest';
import { renderConsentPage, renderLoginPage } from './interaction-views.ts';

describe('interaction pages', () => {
  it('escape every value a client or user controls', () => {
    const evil = '"><script>alert(1)</script>';
    const login = renderLoginPage({ uid: 'u1', clientName: evil, org: evil, email: evil, error: evil });
    const consent = renderConsentPage({
      uid: 'u1',
      clientName: evil,
      clientId: evil,
      scopes: [evil],
      resources: [evil],
      redirectHost: evil,
    });
    for (const html of [login, consent]) {
      expect(html).not.toContain('<script>');
      expect(html).toContain('&lt;script&gt;');
    }
  });
});
