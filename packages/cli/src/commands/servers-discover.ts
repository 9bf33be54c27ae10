import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption, serverEnvironmentOption, waitOptions } from '../options.ts';
import { followJob, reportDiscovery } from './follow-job.ts';
import { SERVER_ARG, type ServerSelector, serverIdFor } from './server-arg.ts';

interface DiscoverFlags extends ServerSelector {
  force?: boolean;
  wait?: boolean;
  progress?: boolean;
  timeout: number;
  json?: boolean;
}

export function serversDiscoverCommand(servers: Command, ctx: CommandContext): void {
  const cmd = servers
    .command('discover')
    .description("discover a server's capabilities now")
    .argument(...SERVER_ARG)
    .addOption(serverEnvironmentOption())
    .option('--force', 'rebuild the search index from live data even when nothing changed')
    .addOption(jsonOption());
  for (const o of waitOptions()) cmd.addOption(o);
  cmd.action(async (ref: string, flags: DiscoverFlags, self: Command) => {
    const client = ctx.client(self);
    const id = await serverIdFor(client, ref, flags);
    const job = await client.servers.discover(id, { force: flags.force === true });
    if (!flags.wait) {
      if (flags.json) return ctx.json(job);
      ctx.out(`discovery job ${job.id} ${job.state}`);
      ctx.out(`follow it with: sprintconnect servers discover ${id} --wait`);
      return;
    }
    const done = await followJob(ctx, client, job, {
      json: flags.json === true,
      progress: flags.progress === true,
      timeoutSeconds: flags.timeout,
    });
    if (flags.json) ctx.json(done);
    reportDiscovery(ctx, done, { json: flags.json === true });
  });
}
