import { describe, expect, it } from 'vitest';
import { logLevelOf, notificationRelay, retryParams, upstreamMeta } from './call-relay.ts';
import type { RpcMessage } from './jsonrpc.ts';

const call = (meta: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): RpcMessage => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 't', _meta: meta, ...extra },
});
const log = (level: string) => ({
  jsonrpc: '2.0',
  method: 'notifications/message',
  params: { level, data: level },
});

describe('what of an upstream call stream reaches the caller (ADR 0046)', () => {
  it('relays nothing to a 2026 caller that named no log level, every level to a 2025 caller', () => {
    expect(logLevelOf(call(), 'modern')).toBeUndefined();
    expect(logLevelOf(call(), 'legacy')).toBe('debug');
    expect(logLevelOf(call({ 'io.modelcontextprotocol/logLevel': 'error' }), 'legacy')).toBe('error');
    expect(logLevelOf(call({ 'io.modelcontextprotocol/logLevel': 'loud' }), 'modern')).toBeUndefined();
  });

  it('passes log messages at or above the level and progress only for the caller token', () => {
    const sent: unknown[] = [];
    const relay = notificationRelay(
      call({ 'io.modelcontextprotocol/logLevel': 'warning', progressToken: 'p' }),
      'modern',
      (n) => sent.push(n),
    );
    for (const l of ['debug', 'info', 'notice', 'warning', 'error', 'emergency']) relay?.(log(l));
    relay?.({ method: 'notifications/progress', params: { progressToken: 'other', progress: 1 } });
    relay?.({ method: 'notifications/progress', params: { progressToken: 'p', progress: 2 } });
    expect(sent.map((n) => (n as { params: { level?: string; progress?: number } }).params)).toEqual([
      { level: 'warning', data: 'warning' },
      { level: 'error', data: 'error' },
      { level: 'emergency', data: 'emergency' },
      { progressToken: 'p', progress: 2 },
    ]);
  });

  it('tells a 2026 upstream only the elicitation and sampling a 2026 caller declared, and passes its retry', () => {
    const m = call(
      {
        'io.modelcontextprotocol/clientCapabilities': { elicitation: {}, roots: {}, experimental: { x: {} } },
      },
      { inputResponses: { confirm: { action: 'accept' } }, requestState: 's' },
    );
    expect(upstreamMeta(m, 'modern', '2026-07-28', false)).toEqual({
      'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
    });
    expect(retryParams(m, 'modern', '2026-07-28')).toEqual({
      inputResponses: { confirm: { action: 'accept' } },
      requestState: 's',
    });
    // A 2025-era upstream takes neither: it asks in its session, not by results.
    expect(upstreamMeta(m, 'modern', '2025-11-25', false)).toBeUndefined();
    expect(retryParams(m, 'modern', '2025-11-25')).toEqual({});
  });
});
