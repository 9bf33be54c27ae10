import { describe, expect, it } from 'vitest';
import { invocationClassOf, isAudited } from './call-audit.ts';

describe('invocation class from MCP tool annotations (issue 11 point 8)', () => {
  it('classes readOnlyHint as read, destructiveHint as destructive, anything else (no or other hints) as write', () => {
    expect(invocationClassOf({ readOnlyHint: true })).toBe('read');
    expect(invocationClassOf({ readOnlyHint: true, destructiveHint: true })).toBe('read');
    expect(invocationClassOf({ destructiveHint: true })).toBe('destructive');
    expect(invocationClassOf({ destructiveHint: false, idempotentHint: true })).toBe('write');
    expect(invocationClassOf(undefined)).toBe('write');
    expect(invocationClassOf({ destructiveHint: 'true' })).toBe('write');
  });

  it('audits policy denials and destructive calls only, not limit refusals nor allowed read or write calls', () => {
    expect(isAudited({ outcome: 'denied', invocationClass: 'read' })).toBe(true);
    expect(isAudited({ outcome: 'ok', invocationClass: 'destructive' })).toBe(true);
    expect(isAudited({ outcome: 'upstream_error', invocationClass: 'destructive' })).toBe(true);
    expect(isAudited({ outcome: 'ok', invocationClass: 'read' })).toBe(false);
    expect(isAudited({ outcome: 'ok', invocationClass: 'write' })).toBe(false);
    expect(isAudited({ outcome: 'rate_limited', invocationClass: 'write' })).toBe(false);
  });
});
