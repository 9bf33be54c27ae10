/**
 * A 2026-07-28-only stateless server (SDK v2 `createMcpHandler`) whose tool asks its client for input the
 * 2026 way, with multi round-trip requests: `deploy` answers `input_required` (an elicitation under the key
 * `confirm`, and a `requestState`) until the retry carries an accepted confirmation, then deploys. Records what
 * each retry brought, so a test can see that the caller's answer reached it.
 */
import { toNodeHandler } from '@modelcontextprotocol/node';
import { acceptedContent, createMcpHandler, inputRequired, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { listenLoopback, type RunningServer, runAsMain } from './loopback.ts';

export interface RunningMrtr extends RunningServer {
  /** Per `deploy` call that carried input: the confirmation and the request state it echoed. */
  readonly retries: () => readonly { confirm: unknown; requestState: unknown }[];
}

const confirmation = z.object({ confirm: z.boolean() });

export async function startMrtr2026(): Promise<RunningMrtr> {
  const retries: { confirm: unknown; requestState: unknown }[] = [];
  const build = () => {
    const server = new McpServer({ name: 'sprintconnect-test-mrtr', version: '1.0.0' });
    server.registerTool(
      'deploy',
      { description: 'Deploys after the user confirms', inputSchema: z.object({ env: z.string() }) },
      async ({ env }, ctx) => {
        const responses = ctx.mcpReq.inputResponses;
        if (responses !== undefined) {
          retries.push({
            confirm: acceptedContent(responses, 'confirm', confirmation)?.confirm,
            requestState: ctx.mcpReq.requestState(),
          });
        }
        if (acceptedContent(responses, 'confirm', confirmation)?.confirm !== true) {
          return inputRequired({
            inputRequests: {
              confirm: inputRequired.elicit({ message: `Deploy to ${env}?`, requestedSchema: confirmation }),
            },
            requestState: `asked-${env}`,
          });
        }
        return { content: [{ type: 'text', text: `deployed to ${env}` }] };
      },
    );
    return server;
  };
  const handler = createMcpHandler(build, { legacy: 'reject' });
  const nodeHandler = toNodeHandler(handler);
  const http = await listenLoopback((req, res) => void nodeHandler(req, res));
  return {
    url: `${http.origin}/mcp`,
    retries: () => [...retries],
    close: async () => {
      await handler.close();
      await http.close();
    },
  };
}

runAsMain(import.meta, () => startMrtr2026());
