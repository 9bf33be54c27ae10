import { describe, expect, it } from 'vitest';
import { LATEST_LEGACY_VERSION, MODERN_VERSION } from './era.ts';
import { discoverResult, initializeResult } from './handshake.ts';

describe('the gateway handshake', () => {
  it('answers initialize with the caller’s 2025 revision when it speaks it, else its latest 2025 one', () => {
    expect(initializeResult('2025-03-26', 'default').protocolVersion).toBe('2025-03-26');
    expect(initializeResult('2024-11-05', 'default').protocolVersion).toBe(LATEST_LEGACY_VERSION);
    expect(discoverResult('default').supportedVersions).toEqual([MODERN_VERSION]);
  });

  it('tells callers of /mcp about the platform tools, and callers of a virtual server not (ADR 0045: /mcp only)', () => {
    expect(initializeResult('2025-11-25', 'default').instructions).toContain('sprintconnect__');
    expect(discoverResult('default').instructions).toContain('sprintconnect__');
    expect(initializeResult('2025-11-25', 'virtual').instructions).not.toContain('sprintconnect__');
    expect(discoverResult('virtual').instructions).not.toContain('sprintconnect__');
  });

  it('declares list changes and logging, which the gateway serves (ADR 0046, ADR 0047)', () => {
    const { capabilities } = discoverResult('default');
    expect(capabilities.tools).toEqual({ listChanged: true });
    expect(capabilities.logging).toEqual({});
  });
});
