import type { UpdateServerInput } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandContext } from '../context.ts';
import {
  environmentOption,
  jsonOption,
  serverEnvironmentOption,
  TRANSPORTS,
  tagOption,
  waitOptions,
} from '../options.ts';
import { oneLine } from '../output/sanitize.ts';
import type { Environment } from '../resolve/servers.ts';
import { UsageError } from '../usage-error.ts';
import { followJob, reportDiscovery } from './follow-job.ts';
import { SERVER_ARG, serverIdFor } from './server-arg.ts';
import { type AuthFlags, authFromFlags, headerEnvOption } from './server-auth.ts';
import { describeServer } from './servers-show.ts';

export interface UpdateFlags extends AuthFlags {
  /** Which server, when the name is used in several environments (`--environment` is the new value here). */
  in?: Environment;
  name?: string;
  url?: string;
  transport?: UpdateServerInput['transport'];
  environment?: UpdateServerInput['environment'];
  tag: string[];
  clearTags?: boolean;
  description?: string;
  autoDiscover?: boolean;
  noAuth?: boolean;
  json?: boolean;
  wait?: boolean;
  progress?: boolean;
  timeout?: number;
}

/** The PATCH body: only what the flags change. Nothing to change, or contradicting flags, is a usage error. */
export function updateBody(
  flags: UpdateFlags,
  env: Readonly<Record<string, string | undefined>>,
): UpdateServerInput {
  const body: UpdateServerInput = {};
  if (flags.name !== undefined) body.name = flags.name;
  if (flags.url !== undefined) body.url = flags.url;
  if (flags.transport !== undefined) body.transport = flags.transport;
  if (flags.environment !== undefined) body.environment = flags.environment;
  if (flags.tag.length > 0 && flags.clearTags) throw new UsageError('give --tag or --clear-tags, not both');
  if (flags.tag.length > 0) body.tags = [...new Set(flags.tag)];
  if (flags.clearTags) body.tags = [];
  if (flags.description !== undefined) body.description = flags.description;
  if (flags.autoDiscover !== undefined) body.autoDiscover = flags.autoDiscover;
  if ((flags.bearerTokenEnv !== undefined || flags.headerEnv !== undefined) && flags.noAuth) {
    throw new UsageError('give --bearer-token-env, --header-env or --no-auth, not two of them');
  }
  const auth = authFromFlags(flags, env);
  if (auth !== undefined) body.auth = auth;
  if (flags.noAuth) body.auth = { type: 'none' };
  if (Object.keys(body).length === 0)
    throw new UsageError('nothing to change: give at least one field to set');
  return body;
}

/**
 * `servers update`: PATCH /v1/servers/{id} with the fields given; the rest stay as they are. A new URL,
 * transport or credential starts a discovery (autoDiscover on), which `--wait` follows like `register` does:
 * how a server whose discovery failed is fixed (issue 10 point 6).
 */
export function serversUpdateCommand(servers: Command, ctx: CommandContext): void {
  const cmd = servers
    .command('update')
    .description("change a server's fields (only those given); a new URL or credential rediscovers it")
    .argument(...SERVER_ARG)
    .addOption(serverEnvironmentOption('--in'))
    .option('--name <name>', 'new display name')
    .option('--url <url>', 'new MCP endpoint')
    .addOption(new Option('--transport <transport>', 'how to speak to it').choices(TRANSPORTS))
    .addOption(environmentOption('move it to this environment'))
    .addOption(tagOption('replace the tags with these'))
    .option('--clear-tags', 'remove every tag')
    .option('--description <text>', 'new description')
    .option('--auto-discover', 'discover it automatically')
    .option('--no-auto-discover', 'stop discovering it automatically')
    .option('--bearer-token-env <VAR>', 'send `Authorization: Bearer $VAR` to the server from now on')
    .addOption(headerEnvOption())
    .option('--no-auth', 'stop sending credentials to the server')
    .addOption(jsonOption());
  for (const o of waitOptions()) cmd.addOption(o);
  cmd.action(async (ref: string, raw: UpdateFlags & { auth?: boolean }, self: Command) => {
    // commander turns `--no-auth` into `auth: false`; `auth` is never set otherwise.
    const flags: UpdateFlags = { ...raw, noAuth: raw.auth === false };
    const body = updateBody(flags, ctx.deps.env);
    const client = ctx.client(self);
    const id = await serverIdFor(
      client,
      ref,
      { ...(flags.in === undefined ? {} : { environment: flags.in }) },
      '--in',
    );
    const updated = await client.servers.update(id, body);
    const job = updated.discoveryJob ?? null;
    if (!flags.wait || job === null) {
      if (flags.wait) ctx.err('note: nothing to wait for: this change started no discovery');
      if (flags.json) return ctx.json(updated);
      ctx.out(`updated ${oneLine(updated.name)} (${updated.id})`);
      ctx.out(describeServer(updated));
      if (job !== null) {
        ctx.out(`discovery job ${job.id} ${job.state}`);
        ctx.out(`follow it with: sprintconnect jobs wait ${job.id}`);
      }
      return;
    }
    if (!flags.json) ctx.out(`updated ${oneLine(updated.name)} (${updated.id})`);
    const done = await followJob(ctx, client, job, {
      json: flags.json === true,
      progress: flags.progress === true,
      timeoutSeconds: flags.timeout ?? 600,
    });
    // Same shape as the API's reply to the change, brought up to date after discovery.
    if (flags.json) ctx.json({ ...(await client.servers.get(id)), discoveryJob: done });
    reportDiscovery(ctx, done, { json: flags.json === true });
  });
}
