import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/**
 * A real OpenID Provider (oidc-provider) on 127.0.0.1 playing an organization's IdP in tests. There is no login
 * form: its interaction endpoint signs in `next.account` programmatically (or answers `error=access_denied` when
 * `next.deny` is set), so a test drives the whole browser flow with fetch and manual cookies.
 */
export interface TestAccount {
  sub: string;
  email: string;
  name: string;
}

export interface TestIdp {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** What the next interaction does: sign this account in, or refuse. */
  next: { account: TestAccount; deny?: boolean };
  /** Authorization requests the IdP received (their query parameters), newest last. */
  readonly authorizations: URLSearchParams[];
  close(): Promise<void>;
}

export async function startTestIdp(opts: { redirectUri: string; account: TestAccount }): Promise<TestIdp> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const clientId = 'sprintconnect-test';
  const clientSecret = 'test-client-secret-0123456789abcdef';
  const accounts = new Map<string, TestAccount>();
  const authorizations: URLSearchParams[] = [];

  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['test-idp-cookie-key'] },
    features: { devInteractions: { enabled: false } },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: ['openid', 'email', 'profile'],
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const a = accounts.get(sub);
      if (a === undefined) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: a.email, email_verified: true, name: a.name }),
      };
    },
  });
  const handle = provider.callback();

  const idp: TestIdp = {
    issuer,
    clientId,
    clientSecret,
    next: { account: opts.account },
    authorizations,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };

  async function interact(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (idp.next.deny === true) {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The user refused the sign-in.' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const account = idp.next.account;
    accounts.set(account.sub, account);
    const clientIdParam = String(details.params.client_id);
    const grant = new provider.Grant({ accountId: account.sub, clientId: clientIdParam });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.sub }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/auth') authorizations.push(url.searchParams);
    if (url.pathname.startsWith('/interaction/')) {
      interact(req, res).catch((e: unknown) => {
        res.statusCode = 500;
        res.end(String(e));
      });
      return;
    }
    handle(req, res);
  });
  return idp;
}
