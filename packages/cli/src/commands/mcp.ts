import { connectGateway } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { Option } from 'commander';
import { resolveConnection } from '../config.ts';
import { rootFlags } from '../connect.ts';
import type { CommandContext } from '../context.ts';
import { jsonOption } from '../options.ts';
import { oneLine, printable } from '../output/sanitize.ts';
import { formatTable } from '../output/table.ts';
import { createToolProgress } from '../output/tool-progress.ts';
import { UsageError } from '../usage-error.ts';

interface EndpointFlags {
  endpoint?: string;
  json?: boolean;
}

type Client = Awaited<ReturnType<typeof connectGateway>>;

/**
 * The gateway speaks MCP, so these commands are an MCP client (the SDK's `connectGateway`), not REST calls. They
 * need an API key: a `login` session's tokens are issued for `/v1`, and the gateway refuses another audience
 * (issue 11 point 3).
 */
async function withGateway<T>(
  ctx: CommandContext,
  cmd: Command,
  flags: EndpointFlags,
  use: (c: Client) => Promise<T>,
) {
  const conn = resolveConnection(rootFlags(cmd), ctx.deps.env);
  if (conn.apiKey === undefined) {
    throw new UsageError('mcp commands need an API key: set SPRINTCONNECT_API_KEY or pass --api-key');
  }
  const client = await connectGateway({
    url: conn.baseUrl,
    apiKey: conn.apiKey,
    ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
    ...(ctx.deps.fetch === undefined ? {} : { fetch: ctx.deps.fetch }),
    clientInfo: { name: 'sprintconnect-cli', version: '0.1.0' },
  });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** Every page of tools/list (MCP spec, server/tools#pagination). */
async function allTools(client: Client) {
  const tools = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}

export function parseToolArgs(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('--args must be a JSON object, e.g. --args \'{"message":"hi"}\'');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError('--args must be a JSON object, e.g. --args \'{"message":"hi"}\'');
  }
  return value as Record<string, unknown>;
}

const endpointOption = () =>
  new Option('--endpoint <slug>', "a virtual server's slug (default: the org's endpoint /mcp)");

export function mcpCommand(program: Command, ctx: CommandContext): void {
  const mcp = program.command('mcp').description('use tools through the gateway, as an agent would (MCP)');
  mcp
    .command('tools')
    .description('list the tools the gateway offers you')
    .addOption(endpointOption())
    .addOption(jsonOption('print the tools as JSON on stdout and nothing else'))
    .action(async (flags: EndpointFlags, self: Command) => {
      const tools = await withGateway(ctx, self, flags, allTools);
      if (flags.json) return ctx.json({ tools });
      ctx.out(`${tools.length} tool${tools.length === 1 ? '' : 's'}`);
      if (tools.length === 0) return;
      ctx.out(
        formatTable(tools, [
          { header: 'TOOL', value: (t) => t.name, maxWidth: 48 },
          { header: 'DESCRIPTION', value: (t) => oneLine(t.description ?? ''), maxWidth: 80 },
        ]),
      );
    });
  mcp
    .command('call')
    .description('call a tool through the gateway, showing its progress')
    .argument('<tool>', 'the tool name as `mcp tools` lists it')
    .addOption(new Option('--args <json>', 'the arguments, a JSON object'))
    .addOption(endpointOption())
    .addOption(new Option('--progress', 'draw the progress bar even when stderr is not a terminal'))
    .addOption(jsonOption('print the tool result as JSON on stdout and nothing else'))
    .action(
      async (tool: string, flags: EndpointFlags & { args?: string; progress?: boolean }, self: Command) => {
        const args = parseToolArgs(flags.args);
        const stderr = ctx.deps.stderr;
        const progress = createToolProgress({
          stream: stderr,
          mode: flags.progress || stderr.isTTY === true ? 'bar' : 'lines',
          label: tool,
        });
        const result = await withGateway(ctx, self, flags, (c) =>
          c
            .callTool({ name: tool, arguments: args }, { onprogress: (p) => progress.update(p) })
            .finally(() => progress.finish()),
        );
        if (flags.json) return ctx.json(result);
        if (result.isError === true) ctx.setExitCode(1);
        for (const block of result.content ?? []) {
          ctx.out(block.type === 'text' ? printable(block.text) : `[${block.type}]`);
        }
      },
    );
}
