import type { CreateServerInput } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { environmentOption, jsonOption, TRANSPORTS, tagOption, waitOptions } from '../options.ts';
import { oneLine } from '../output/sanitize.ts';
import { followJob, reportDiscovery } from './follow-job.ts';
import { type AuthFlags, authFromFlags, headerEnvOption } from './server-auth.ts';

export interface RegisterFlags extends AuthFlags {
  name: string;
  url: string;
  transport?: CreateServerInput['transport'];
  environment?: CreateServerInput['environment'];
  tag: string[];
  description?: string;
  autoDiscover: boolean;
  json?: boolean;
  wait?: boolean;
  progress?: boolean;
  timeout: number;
}

/** The request body the flags describe; the bearer token is read from the environment variable named. */
export function registerBody(
  flags: RegisterFlags,
  env: Readonly<Record<string, string | undefined>>,
): CreateServerInput {
  const body: CreateServerInput = { name: flags.name, url: flags.url };
  if (flags.transport !== undefined) body.transport = flags.transport;
  if (flags.environment !== undefined) body.environment = flags.environment;
  if (flags.tag.length > 0) body.tags = [...new Set(flags.tag)];
  if (flags.description !== undefined) body.description = flags.description;
  if (!flags.autoDiscover) body.autoDiscover = false;
  const auth = authFromFlags(flags, env);
  if (auth !== undefined) body.auth = auth;
  return body;
}

export function serversRegisterCommand(servers: Command, ctx: CommandContext): void {
  const cmd = servers
    .command('register')
    .description('register an MCP server (and discover its capabilities)')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--url <url>', 'the MCP endpoint, e.g. https://mcp.example.com/mcp')
    .addOption(new Option('--transport <transport>', 'how to speak to it').choices(TRANSPORTS))
    .addOption(environmentOption('deployment environment'))
    .addOption(tagOption('a lower-case tag'))
    .option('--description <text>', 'what the server is for')
    .option('--no-auto-discover', 'register only; do not queue discovery')
    .option(
      '--bearer-token-env <VAR>',
      'send `Authorization: Bearer $VAR` to the server (read from the environment)',
    )
    .addOption(headerEnvOption())
    .addOption(jsonOption());
  for (const o of waitOptions()) cmd.addOption(o);
  cmd.action(async (flags: RegisterFlags, self: Command) => {
    const client = ctx.client(self);
    const created = await client.servers.register(registerBody(flags, ctx.deps.env));
    if (!flags.wait || created.discoveryJob === null) {
      if (flags.wait) ctx.err('note: nothing to wait for: discovery is off for this server');
      if (flags.json) return ctx.json(created);
      ctx.out(`registered ${oneLine(created.name)} (${created.id}), status ${created.status}`);
      if (created.discoveryJob !== null) {
        ctx.out(`discovery job ${created.discoveryJob.id} ${created.discoveryJob.state}`);
        ctx.out(`follow it with: sprintconnect servers discover ${created.id} --wait`);
      }
      return;
    }
    if (!flags.json) ctx.out(`registered ${oneLine(created.name)} (${created.id})`);
    const job = await followJob(ctx, client, created.discoveryJob, {
      json: flags.json === true,
      progress: flags.progress === true,
      timeoutSeconds: flags.timeout,
    });
    // Same shape as the API's reply to the registration, brought up to date after discovery.
    if (flags.json) ctx.json({ ...(await client.servers.get(created.id)), discoveryJob: job });
    reportDiscovery(ctx, job, { json: flags.json === true });
  });
}
