import { createClient } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { Option } from 'commander';
import { credentialsPath, saveLogin } from '../auth/credentials.ts';
import { startLoopback } from '../auth/loopback.ts';
import {
  authorizationRequest,
  DEFAULT_SCOPE,
  discover,
  exchangeCode,
  randomState,
  toStoredLogin,
} from '../auth/oauth.ts';
import { loginTarget, rootFlags } from '../connect.ts';
import type { CommandContext } from '../context.ts';
import { positiveInt } from '../options.ts';

interface LoginFlags {
  open?: boolean;
  scope: string;
  timeout: number;
}

/**
 * `login`: authorization code + PKCE with SprintConnect's authorization server, the code coming back to a
 * loopback server on 127.0.0.1 (RFC 8252). The sign-in URL is printed; `--open` also opens a browser.
 */
export function loginCommand(program: Command, ctx: CommandContext): void {
  program
    .command('login')
    .description('sign in in a browser; later commands use this login when no API key is given')
    .option('--open', 'also open the sign-in page in the default browser')
    .option('--scope <scopes>', 'space-separated scopes to ask for', DEFAULT_SCOPE)
    .addOption(
      new Option('--timeout <seconds>', 'stop waiting for the browser after this long')
        .argParser(positiveInt)
        .default(300),
    )
    .action(async (flags: LoginFlags, self: Command) => {
      const { server, dir } = loginTarget(rootFlags(self), ctx.deps.env);
      const fetchImpl = ctx.deps.fetch;
      const config = await discover(server, fetchImpl);
      const resource = `${server}/v1`;
      const loopback = await startLoopback(randomState(), flags.timeout * 1000);
      try {
        const req = await authorizationRequest(config, {
          redirectUri: loopback.redirectUri,
          scope: flags.scope,
          resource,
          state: loopback.state,
        });
        ctx.err('Open this URL in a browser to sign in to SprintConnect:');
        ctx.err(`  ${req.url.href}`);
        if (flags.open) {
          await ctx.deps.openBrowser?.(req.url.href).catch(() => {
            ctx.err('could not open a browser; open the URL above yourself');
          });
        }
        ctx.err(`Waiting for the browser to come back to ${loopback.redirectUri} ...`);
        const tokens = await exchangeCode(config, await loopback.callback, req);
        const login = toStoredLogin(server, config, resource, tokens, Date.now());
        saveLogin(dir, login);
        const client = createClient({
          baseUrl: server,
          accessToken: async () => login.accessToken,
          ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
        });
        const me = await client.me();
        ctx.err(`Logged in to ${server} as ${me.email ?? me.name} (org ${me.org.slug}).`);
        ctx.err(`Credentials saved in ${credentialsPath(dir)}.`);
      } finally {
        loopback.close();
      }
    });
}
