import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { serverEnvironmentOption } from '../options.ts';
import { oneLine } from '../output/sanitize.ts';
import { SERVER_ARG, type ServerSelector, serverIdFor } from './server-arg.ts';

/** `servers delete`: DELETE /v1/servers/{id} (its capability history goes with it). */
export function serversDeleteCommand(servers: Command, ctx: CommandContext): void {
  servers
    .command('delete')
    .description('remove a server from the registry')
    .argument(...SERVER_ARG)
    .addOption(serverEnvironmentOption())
    .action(async (ref: string, flags: ServerSelector, self: Command) => {
      const client = ctx.client(self);
      const id = await serverIdFor(client, ref, flags);
      await client.servers.delete(id);
      ctx.out(`deleted server ${oneLine(ref)}${ref === id ? '' : ` (${id})`}`);
    });
}
