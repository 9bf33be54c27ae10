import { createClient } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { Option } from 'commander';
import type * as oidc from 'openid-client';
import { credentialsPath, saveLogin } from '../auth/credentials.ts';
import { pickLoginFlow } from '../auth/login-flow.ts';
import { startLoopback } from '../auth/loopback.ts';
import {
  authorizationRequest,
  DEFAULT_SCOPE,
  discover,
  exchangeCode,
  pollDeviceAuthorization,
  randomState,
  startDeviceAuthorization,
  toStoredLogin,
} from '../auth/oauth.ts';
import { loginTarget, rootFlags } from '../connect.ts';
import type { CommandContext } from '../context.ts';
import { positiveInt } from '../options.ts';
import { printable } from '../output/sanitize.ts';
import { UsageError } from '../usage-error.ts';

interface LoginFlags {
  open?: boolean;
  device?: boolean;
  browser?: boolean;
  scope: string;
  timeout: number;
}

/** Authorization code + PKCE, the code coming back to a loopback server on 127.0.0.1 (RFC 8252). */
async function browserFlow(
  ctx: CommandContext,
  config: oidc.Configuration,
  flags: LoginFlags,
  resource: string,
): Promise<oidc.TokenEndpointResponse> {
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
    return await exchangeCode(config, await loopback.callback, req);
  } finally {
    loopback.close();
  }
}

/** The device authorization grant (RFC 8628): the person types a code in a browser anywhere. */
async function deviceFlow(
  ctx: CommandContext,
  config: oidc.Configuration,
  flags: LoginFlags,
  resource: string,
): Promise<oidc.TokenEndpointResponse> {
  const started = await startDeviceAuthorization(config, { scope: flags.scope, resource });
  // The server's text reaches a terminal: nothing in it may move the cursor or change the title.
  ctx.err('To sign in, open this URL in a browser on any device:');
  ctx.err(`  ${printable(started.verification_uri)}`);
  ctx.err(`and enter the code  ${printable(started.user_code)}`);
  if (started.verification_uri_complete !== undefined) {
    ctx.err(`(or open ${printable(started.verification_uri_complete)} , which fills the code in)`);
  }
  ctx.err('Check that the page shows the same code before you approve. Waiting for the approval ...');
  const seconds = Math.min(flags.timeout, started.expires_in);
  try {
    return await pollDeviceAuthorization(config, started, AbortSignal.timeout(seconds * 1000));
  } catch (e) {
    if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) {
      throw new Error(`no approval within ${seconds} s; run login again`);
    }
    throw e;
  }
}

/**
 * `login`: signs a person in with SprintConnect's authorization server. With a browser on this machine, the
 * code flow on a loopback redirect (the URL is printed; `--open` also opens it); without one (SSH, containers:
 * see auth/login-flow.ts) or with `--device`, the device flow (issue 10 point 8).
 */
export function loginCommand(program: Command, ctx: CommandContext): void {
  program
    .command('login')
    .description('sign in as a person; later commands use this login when no API key is given')
    .option('--open', 'also open the sign-in page in the default browser')
    .option('--device', 'sign in with a code typed in a browser on any device (no local browser needed)')
    .option('--browser', 'sign in with a browser on this machine (the default when one is available)')
    .option('--scope <scopes>', 'space-separated scopes to ask for', DEFAULT_SCOPE)
    .addOption(
      new Option('--timeout <seconds>', 'stop waiting for the sign-in after this long')
        .argParser(positiveInt)
        .default(300),
    )
    .action(async (flags: LoginFlags, self: Command) => {
      if (flags.device && flags.browser) throw new UsageError('give --device or --browser, not both');
      if (flags.device && flags.open)
        throw new UsageError('--open opens a local browser; it does not go with --device');
      const { server, dir } = loginTarget(rootFlags(self), ctx.deps.env);
      const fetchImpl = ctx.deps.fetch;
      const config = await discover(server, fetchImpl);
      const resource = `${server}/v1`;
      const flow = flags.open
        ? 'browser'
        : pickLoginFlow(flags, ctx.deps.env, ctx.deps.platform ?? process.platform);
      const tokens =
        flow === 'device'
          ? await deviceFlow(ctx, config, flags, resource)
          : await browserFlow(ctx, config, flags, resource);
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
    });
}
