import { describe, expect, it } from 'vitest';
import { decodeHeaderValue, eraOf, META } from './era.ts';
import { classifyBody, RPC, type RpcMessage } from './jsonrpc.ts';

const meta = { [META.protocolVersion]: '2026-07-28' };
const call = (over: Partial<RpcMessage> = {}): RpcMessage => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'srv__tool', _meta: meta },
  ...over,
});
const headers = { protocolVersion: '2026-07-28', method: 'tools/call', name: 'srv__tool' };

describe('era and mirrored headers (MCP 2026-07-28 transports)', () => {
  it('a body with the _meta protocol version and agreeing headers is the 2026 era', () => {
    expect(eraOf(call(), headers)).toEqual({ era: 'modern' });
  });

  it('a body without the envelope is the 2025 era, whatever 2025 revision the header names', () => {
    const legacy = call({ params: { name: 'srv__tool' } });
    expect(eraOf(legacy, { protocolVersion: undefined, method: undefined, name: undefined })).toEqual({
      era: 'legacy',
      version: undefined,
    });
    expect(
      eraOf(legacy, { protocolVersion: '2025-06-18', method: undefined, name: undefined }),
    ).toMatchObject({
      era: 'legacy',
    });
  });

  it('each disagreeing or missing mirrored header of a 2026 request is 400 -32020', () => {
    for (const h of [
      { ...headers, method: 'tools/list' },
      { ...headers, name: 'srv__other' },
      { ...headers, protocolVersion: '2025-11-25' },
      { ...headers, protocolVersion: undefined },
      { ...headers, method: undefined },
      { ...headers, name: undefined },
    ]) {
      expect(eraOf(call(), h)).toMatchObject({ status: 400, error: { code: RPC.headerMismatch } });
    }
  });

  it('a 2026 notification needs no mirrored headers, but those it sends must agree', () => {
    const note: RpcMessage = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { _meta: meta } };
    expect(eraOf(note, { protocolVersion: undefined, method: undefined, name: undefined })).toEqual({
      era: 'modern',
    });
    expect(eraOf(note, { protocolVersion: undefined, method: 'tools/call', name: undefined })).toMatchObject({
      error: { code: RPC.headerMismatch },
    });
  });

  it('a 2026 header on a body without the envelope is a mismatch; an unknown revision is -32022', () => {
    const legacy = call({ params: {} });
    expect(eraOf(legacy, { ...headers })).toMatchObject({ error: { code: RPC.headerMismatch } });
    expect(
      eraOf(legacy, { protocolVersion: '1999-01-01', method: undefined, name: undefined }),
    ).toMatchObject({
      error: { code: RPC.unsupportedProtocolVersion },
    });
    expect(
      eraOf(call({ params: { _meta: { [META.protocolVersion]: '2030-01-01' } } }), headers),
    ).toMatchObject({
      error: { code: RPC.unsupportedProtocolVersion },
    });
  });

  it('decodes Mcp-Name values sent as =?base64?...?= (UTF-8) and refuses a sentinel that is not base64', () => {
    expect(decodeHeaderValue(`=?base64?${Buffer.from('outil_é').toString('base64')}?=`)).toBe('outil_é');
    expect(decodeHeaderValue('plain_name')).toBe('plain_name');
    expect(decodeHeaderValue('=?base64?not base64!?=')).toBeUndefined();
  });
});

describe('JSON-RPC bodies', () => {
  it('refuses batches, non-2.0 messages, bad ids, missing methods and non-object params', () => {
    expect(classifyBody([{ jsonrpc: '2.0', id: 1, method: 'ping' }])).toMatchObject({
      kind: 'invalid',
      error: { code: RPC.invalidRequest },
    });
    expect(classifyBody({ id: 1, method: 'ping' })).toMatchObject({ error: { code: RPC.invalidRequest } });
    expect(classifyBody({ jsonrpc: '2.0', id: [1], method: 'ping' })).toMatchObject({
      error: { code: RPC.invalidRequest },
    });
    expect(classifyBody({ jsonrpc: '2.0', id: 4 })).toMatchObject({
      id: 4,
      error: { code: RPC.invalidRequest },
    });
    expect(classifyBody({ jsonrpc: '2.0', id: 5, method: 'ping', params: [1] })).toMatchObject({
      id: 5,
      error: { code: RPC.invalidParams },
    });
  });

  it('takes requests, notifications and responses as they are', () => {
    expect(classifyBody({ jsonrpc: '2.0', id: 'a', method: 'ping' })).toMatchObject({ kind: 'message' });
    expect(classifyBody({ jsonrpc: '2.0', method: 'notifications/initialized' })).toMatchObject({
      kind: 'message',
    });
    // A response is handed on whole: it may answer an input request the gateway relayed (ADR 0046).
    expect(classifyBody({ jsonrpc: '2.0', id: 3, result: {} })).toEqual({
      kind: 'response',
      id: 3,
      message: { jsonrpc: '2.0', id: 3, result: {} },
    });
  });
});
