import { describe, expect, it } from 'vitest';
import { wantsHtml } from './error-page.ts';

describe('sign-in error page', () => {
  it('is chosen for browser navigations, not for API clients', () => {
    expect(wantsHtml('text/html,application/xhtml+xml,*/*;q=0.8')).toBe(true);
    expect(wantsHtml('application/json')).toBe(false);
    expect(wantsHtml('application/problem+json, text/html')).toBe(false);
    expect(wantsHtml(undefined)).toBe(false);
  });
});
