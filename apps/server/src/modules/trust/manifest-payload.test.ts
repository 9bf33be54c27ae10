import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/index.ts';
import { policyHash } from './jcs.ts';
import { readManifestPayload } from './manifest-payload.ts';

/** The signed payload of a manifest (ADR 0015): UTF-8 JSON, of the manifest schema, each capability once, I-JSON. */
const server = { name: 'weather', url: 'https://mcp.example.com/mcp' };
const base = { server, tools: [], resources: [], prompts: [] };
const bytes = (s: string) => new TextEncoder().encode(s);

function refusal(input: Uint8Array) {
  try {
    readManifestPayload(input);
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, detail: e.detail, errors: e.errors ?? [] };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('the manifest payload', () => {
  it('reads a payload of the schema and hashes it', () => {
    const payload = { ...base, tools: [{ name: 'forecast', inputSchema: { type: 'object' } }] };
    expect(readManifestPayload(bytes(JSON.stringify(payload)))).toEqual({
      payload,
      policyHash: policyHash(payload),
    });
  });

  it('refuses bytes that are not UTF-8, even inside a string where a lenient decoder would substitute U+FFFD', () => {
    const json = bytes(JSON.stringify({ ...base, server: { ...server, name: 'wXather' } }));
    json[json.indexOf('X'.charCodeAt(0))] = 0xff;
    const detail = 'The manifest payload is not UTF-8 JSON.';
    expect(refusal(json)).toEqual({
      code: 'manifest_invalid',
      detail,
      errors: [{ pointer: '/manifest', detail }],
    });
  });

  it('lists where the payload departs from the schema, each under /manifest', () => {
    const r = refusal(bytes(JSON.stringify({ ...base, tools: 'none' })));
    expect(r.detail).toBe('The manifest payload does not match the manifest schema.');
    expect(r.errors[0]).toEqual({ pointer: '/manifest', detail: r.detail });
    expect(r.errors.slice(1)).toContainEqual({
      pointer: '/manifest',
      detail: 'payload /tools: Expected array',
    });
  });

  it('names the root as / when the payload is not an object at all', () => {
    const r = refusal(bytes('[]'));
    expect(r.errors.slice(1)).toContainEqual({ pointer: '/manifest', detail: 'payload /: Expected object' });
  });

  it('lists at most 20 problems, however many there are', () => {
    const tools = Array.from({ length: 30 }, () => ({ name: 7 }));
    expect(refusal(bytes(JSON.stringify({ ...base, tools }))).errors).toHaveLength(1 + 20);
  });

  it('names each capability listed twice, by kind, position and identity', () => {
    const echo = { name: 'echo', inputSchema: { type: 'object' } };
    const r = refusal(bytes(JSON.stringify({ ...base, tools: [echo, echo] })));
    expect(r).toEqual({
      code: 'manifest_invalid',
      detail: 'The manifest names a capability twice.',
      errors: [
        { pointer: '/manifest', detail: 'The manifest names a capability twice.' },
        { pointer: '/manifest', detail: 'payload /tools/1/name: "echo" is listed twice' },
      ],
    });
  });

  it('refuses a payload that is not I-JSON (a lone surrogate), naming where', () => {
    const r = refusal(bytes(JSON.stringify(base).replace('"weather"', '"\\ud800"')));
    expect(r.detail).toBe('The manifest payload is not I-JSON.');
    expect(r.errors[1]).toEqual({
      pointer: '/manifest',
      detail: 'payload /server/name: a string holds a lone surrogate (not I-JSON)',
    });
  });
});
