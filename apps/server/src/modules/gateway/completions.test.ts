import { describe, expect, it } from 'vitest';
import type { Catalogue, Entry, GatewayServer } from './catalogue.ts';
import { completionTarget } from './completions.ts';

const server: GatewayServer = {
  id: 's1',
  name: 'everything',
  environment: 'prod',
  tags: [],
  transport: 'streamable-http',
  protocolVersion: '2025-11-25',
};
const prompt: Entry = { server, item: { name: 'p' }, upstreamName: 'p', exposedName: 'everything__p' };
const template: Entry = {
  server,
  item: { name: 'T', uriTemplate: 'demo://t/{id}' },
  upstreamName: 'demo://t/{id}',
  exposedName: 'demo://t/{id}',
};
const cat: Catalogue = {
  servers: [server],
  tools: new Map(),
  resources: new Map(),
  prompts: new Map([['everything__p', prompt]]),
  templates: [template],
};
const msg = (params: Record<string, unknown>) => ({
  jsonrpc: '2.0' as const,
  id: 1,
  method: 'completion/complete',
  params,
});
const argument = { name: 'a', value: 'x' };

describe('completion references (ADR 0049)', () => {
  it('a ref/prompt resolves by its exposed name and is forwarded under the upstream name, with the arguments for Cedar', () => {
    const t = completionTarget(
      msg({
        ref: { type: 'ref/prompt', name: 'everything__p' },
        argument,
        context: { arguments: { b: 'y' } },
      }),
      cat,
    );
    if ('error' in t) throw new Error(t.error.message);
    expect(t.entry).toBe(prompt);
    expect(t.args).toEqual({ b: 'y', a: 'x' });
    expect(t.params(prompt)).toEqual({
      ref: { type: 'ref/prompt', name: 'p' },
      argument,
      context: { arguments: { b: 'y' } },
    });
  });

  it('a ref/resource resolves by the exact URI template, never by matching an expansion', () => {
    const ok = completionTarget(msg({ ref: { type: 'ref/resource', uri: 'demo://t/{id}' }, argument }), cat);
    expect('error' in ok ? undefined : ok.entry).toBe(template);
    const expanded = completionTarget(
      msg({ ref: { type: 'ref/resource', uri: 'demo://t/7' }, argument }),
      cat,
    );
    expect('error' in expanded ? 'error' : expanded.entry).toBeUndefined();
  });

  it('a malformed ref or argument is -32602 naming the field', () => {
    for (const params of [
      { argument },
      { ref: { type: 'ref/prompt' }, argument },
      { ref: { type: 'ref/other', name: 'p' }, argument },
      { ref: { type: 'ref/prompt', name: 'everything__p' } },
      { ref: { type: 'ref/prompt', name: 'everything__p' }, argument: { name: 'a', value: 3 } },
    ]) {
      expect(completionTarget(msg(params), cat), JSON.stringify(params)).toMatchObject({
        error: { code: -32602, message: expect.stringMatching(/params\.(ref|argument)/) },
      });
    }
  });
});
