/**
 * Issue 11 point 9 (US-INF10): agents reach every tool through one client layer. The SDK's `connectGateway`, the
 * LangChain.js MCP adapters and the Vercel AI SDK's MCP client each load the tools of SprintConnect's `/mcp` over a
 * real socket (API key in the Authorization header) and invoke one directly, with no model: the call is routed to
 * the registered server that owns the tool, and its result is parsed as that framework parses any MCP result.
 */
import { createMCPClient } from '@ai-sdk/mcp';
import { MultiServerMCPClient } from '@langchain/mcp-adapters';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../apps/server/test/discovered-server.ts';
import { type RunningEverything, startEverything } from '../../../apps/server/test/mcp-servers/everything.ts';
import type { RunningServer } from '../../../apps/server/test/mcp-servers/loopback.ts';
import { startStateless2026 } from '../../../apps/server/test/mcp-servers/stateless-2026.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../apps/server/test/oauth-app.ts';
import { connectGateway } from './gateway.ts';

let s: OAuthTestApp;
let everything: RunningEverything;
let modern: RunningServer;

const register = (name: string, url: string) => registerDiscovered(s.t, s.t.auth, { name, url });

beforeAll(async () => {
  s = await startOAuthApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' } });
  [everything, modern] = await Promise.all([startEverything('streamable-http'), startStateless2026()]);
  await Promise.all([register('everything', everything.url), register('modern', modern.url)]);
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await Promise.all([everything?.close(), modern?.close()]);
});

const key = () => s.t.adminKey;

describe('agents reach the gateway through one client layer (issue 11 point 9)', () => {
  it('connectGateway lists the tools of every registered server and routes a call to the one that owns it', async () => {
    const client = await connectGateway({ url: s.publicUrl, apiKey: key() });
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('everything__echo');
      expect(names.some((n) => n.startsWith('modern__'))).toBe(true);
      const result = await client.callTool({ name: 'everything__echo', arguments: { message: 'via sdk' } });
      expect(result.content).toEqual([{ type: 'text', text: 'Echo: via sdk' }]);
    } finally {
      await client.close();
    }
  });

  it('connectGateway with a wrong key is refused before any tool is listed', async () => {
    await expect(
      connectGateway({ url: s.publicUrl, apiKey: 'sck_aaaaaaaaaaaa_not-a-key' }),
    ).rejects.toThrow();
  });

  it('LangChain.js (@langchain/mcp-adapters) loads the gateway tools and invokes one directly', async () => {
    const client = new MultiServerMCPClient({
      mcpServers: {
        sprintconnect: {
          transport: 'http',
          url: `${s.publicUrl}/mcp`,
          headers: { authorization: `Bearer ${key()}` },
        },
      },
    });
    try {
      const tools = await client.getTools();
      const echo = tools.find((t) => t.name === 'everything__echo');
      expect(echo, tools.map((t) => t.name).join(', ')).toBeDefined();
      expect(await echo!.invoke({ message: 'via langchain' })).toBe('Echo: via langchain');
    } finally {
      await client.close();
    }
  });

  it('the Vercel AI SDK MCP client (@ai-sdk/mcp) loads the gateway tools and executes one directly', async () => {
    const client = await createMCPClient({
      transport: { type: 'http', url: `${s.publicUrl}/mcp`, headers: { authorization: `Bearer ${key()}` } },
    });
    try {
      const tools = await client.tools();
      expect(Object.keys(tools)).toContain('everything__echo');
      const out = await tools['everything__echo']!.execute!(
        { message: 'via ai sdk' },
        { toolCallId: 'call-1', messages: [], context: {} },
      );
      expect(out).toMatchObject({ content: [{ type: 'text', text: 'Echo: via ai sdk' }], isError: false });
    } finally {
      await client.close();
    }
  });
});
