import { Command } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { adminCommand } from './commands/admin.ts';
import { apiKeysCommand } from './commands/api-keys.ts';
import { egressCommand } from './commands/egress.ts';
import { jobsCommand } from './commands/jobs.ts';
import { loginCommand } from './commands/login.ts';
import { logoutCommand } from './commands/logout.ts';
import { mcpCommand } from './commands/mcp.ts';
import { oauthClientsCommand } from './commands/oauth-clients.ts';
import { policiesCommand } from './commands/policies.ts';
import { budgetCommand, quotasCommand } from './commands/quotas.ts';
import { rolesCommand } from './commands/roles.ts';
import { searchCommand } from './commands/search.ts';
import { serversDeleteCommand } from './commands/servers-delete.ts';
import { serversDiffCommand } from './commands/servers-diff.ts';
import { serversDiscoverCommand } from './commands/servers-discover.ts';
import { serversListCommand } from './commands/servers-list.ts';
import { serversManifestCommand } from './commands/servers-manifest.ts';
import { serversRegisterCommand } from './commands/servers-register.ts';
import { serversShowCommand } from './commands/servers-show.ts';
import { serversUpdateCommand } from './commands/servers-update.ts';
import { serversVersionsCommand } from './commands/servers-versions.ts';
import { ssoCommand } from './commands/sso.ts';
import { startCommand } from './commands/start.ts';
import { trustCommand } from './commands/trust.ts';
import { trustedIssuersCommand } from './commands/trusted-issuers.ts';
import { usageCommand } from './commands/usage.ts';
import { usersCommand } from './commands/users.ts';
import { virtualServersCommand } from './commands/virtual-servers.ts';
import { whoamiCommand } from './commands/whoami.ts';
import type { CommandContext } from './context.ts';

/** The command tree. Commander throws instead of exiting (run.ts maps its errors to exit code 2). */
export function createProgram(ctx: CommandContext): Command {
  const { stdout, stderr } = ctx.deps;
  const program = new Command('sprintconnect')
    .description('SprintConnect: the control plane for your MCP servers')
    .version(pkg.version)
    .usage('[--url <url>] [--api-key <key>] <command> [options]')
    .option('--url <url>', 'SprintConnect base URL (default: SPRINTCONNECT_URL or http://127.0.0.1:8080)')
    .option('--api-key <key>', 'API key (default: SPRINTCONNECT_API_KEY, else the `login` session)')
    // These two go before the command: `servers register --url` is the MCP server's URL, not ours.
    .enablePositionalOptions()
    // Settings below are copied to each subcommand created after them.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => stdout.write(s),
      writeErr: (s) => stderr.write(s),
    });

  startCommand(program, ctx);
  adminCommand(program, ctx);
  loginCommand(program, ctx);
  logoutCommand(program, ctx);
  whoamiCommand(program, ctx);
  const servers = program
    .command('servers')
    .description('register, list, inspect, change and remove MCP servers (by name or id)');
  serversRegisterCommand(servers, ctx);
  serversListCommand(servers, ctx);
  serversShowCommand(servers, ctx);
  serversUpdateCommand(servers, ctx);
  serversDeleteCommand(servers, ctx);
  serversDiscoverCommand(servers, ctx);
  serversVersionsCommand(servers, ctx);
  serversDiffCommand(servers, ctx);
  serversManifestCommand(servers, ctx);
  searchCommand(program, ctx);
  mcpCommand(program, ctx);
  jobsCommand(program, ctx);
  apiKeysCommand(program, ctx);
  oauthClientsCommand(program, ctx);
  rolesCommand(program, ctx);
  usersCommand(program, ctx);
  policiesCommand(program, ctx);
  egressCommand(program, ctx);
  trustCommand(program, ctx);
  trustedIssuersCommand(program, ctx);
  quotasCommand(program, ctx);
  budgetCommand(program, ctx);
  usageCommand(program, ctx);
  ssoCommand(program, ctx);
  virtualServersCommand(program, ctx);
  return program;
}
