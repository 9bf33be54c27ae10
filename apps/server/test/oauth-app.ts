import { sql } from 'kysely';
import * as client from 'openid-client';
import { uuidv7 } from '../src/kernel/index.ts';
import type { ComposeOptions } from '../src/main.ts';
import type { OAuthUser } from '../src/modules/oauth/index.ts';
import { withTenant } from '../src/platform/db/index.ts';
import { startTestApp, type TestApp } from './harness.ts';
import { Browser, freePort } from './oauth-browser.ts';

/**
 * Tests only: SprintConnect listening on a real 127.0.0.1 port whose public URL matches it (the issuer and
 * token audiences depend on it), with one local user the injected password check knows.
 */
export interface OAuthTestApp {
  readonly t: TestApp;
  readonly publicUrl: string;
  readonly issuer: string;
  readonly api: string;
  readonly mcp: string;
  readonly user: OAuthUser;
  readonly login: Record<string, string>;
  /** openid-client configuration for a client of this server (discovery over HTTP). */
  configFor(clientId: string, auth?: client.ClientAuth): Promise<client.Configuration>;
  /** The whole code flow of a public client through the browser: returns the token response. */
  codeFlow(
    config: client.Configuration,
    o: {
      redirectUri: string;
      scope: string;
      resource?: string;
      consent?: 'confirm' | 'abort';
      browser?: Browser;
      dpop?: client.DPoPHandle;
    },
  ): Promise<client.TokenEndpointResponse>;
  stop(): Promise<void>;
}

export async function startOAuthApp(
  opts: {
    refreshGraceMs?: number;
    roles?: string[];
    env?: Record<string, string>;
    gateway?: ComposeOptions['gateway'];
  } = {},
): Promise<OAuthTestApp> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const userRef: { user?: OAuthUser } = {};
  const password = 'correct horse battery staple';
  const t = await startTestApp({
    env: { SPRINTCONNECT_PUBLIC_URL: publicUrl, ...opts.env },
    ...(opts.gateway === undefined ? {} : { gateway: opts.gateway }),
    oauth: {
      refreshGraceMs: opts.refreshGraceMs,
      verifyPassword: async (org, email, pw) =>
        org === 'default' && email === userRef.user?.email && pw === password ? userRef.user : undefined,
    },
  });
  const user: OAuthUser = { id: uuidv7(), orgId: t.orgId, email: 'ada@example.com', name: 'Ada Lovelace' };
  await withTenant(t.database.adminDb, t.orgId, (tx) =>
    sql`INSERT INTO users (org_id, id, email, name) VALUES (${t.orgId}, ${user.id}, ${user.email}, ${user.name})`.execute(
      tx,
    ),
  );
  await t.sc.rbac.users.grantAsSystem(
    { type: 'system', id: 'test', orgId: t.orgId },
    { type: 'user', id: user.id },
    [...(opts.roles ?? ['engineer'])],
  );
  userRef.user = user;
  await t.app.listen({ port, host: '127.0.0.1' });
  const issuer = `${publicUrl}/oidc`;

  return {
    t,
    publicUrl,
    issuer,
    api: `${publicUrl}/v1`,
    mcp: `${publicUrl}/mcp`,
    user,
    login: { org: 'default', email: user.email, password },
    configFor: (clientId, auth = client.None()) =>
      client.discovery(new URL(issuer), clientId, undefined, auth, {
        execute: [client.allowInsecureRequests],
      }),
    async codeFlow(config, o) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: o.redirectUri,
        scope: o.scope,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        ...(o.resource === undefined ? {} : { resource: o.resource }),
      });
      const browser = o.browser ?? new Browser();
      const back = await browser.authorize(url, o.redirectUri, {
        login: { org: 'default', email: user.email, password },
        consent: o.consent ?? 'confirm',
      });
      return client.authorizationCodeGrant(
        config,
        back,
        { pkceCodeVerifier: verifier, expectedState: state },
        undefined,
        o.dpop === undefined ? undefined : { DPoP: o.dpop },
      );
    },
    stop: () => t.stop(),
  };
}
