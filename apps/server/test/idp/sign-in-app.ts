import { createServer } from 'node:net';
import type { Clock } from '../../src/kernel/index.ts';
import { startTestApp, type TestApp } from '../harness.ts';
import { TestBrowser } from './browser.ts';
import { startTestIdp, type TestAccount, type TestIdp } from './oidc-idp.ts';

/** A clock that follows real time, and that a test can move forward (session expiry). */
export function movableClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => {
      offset += ms;
    },
  };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface SignInApp {
  readonly t: TestApp;
  readonly idp: TestIdp;
  readonly publicUrl: string;
  readonly clock: Clock & { advance(ms: number): void };
  browser(): TestBrowser;
  /** Configures the default org's SSO with the test IdP (as its admin API key). */
  configureSso(extra?: Record<string, unknown>): Promise<Response>;
  /** The whole browser flow: login page -> IdP -> callback; returns the callback's response. */
  ssoLogin(b: TestBrowser, slug?: string, query?: string): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * SprintConnect listening on a real 127.0.0.1 port (its public URL), with an oidc-provider IdP beside it that
 * egress may reach (SPRINTCONNECT_EGRESS_ALLOW=127.0.0.1/32).
 */
export async function startSignInApp(opts: {
  account: TestAccount;
  env?: Record<string, string>;
}): Promise<SignInApp> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const idp = await startTestIdp({ redirectUri: `${publicUrl}/auth/sso/callback`, account: opts.account });
  const clock = movableClock();
  const t = await startTestApp({
    env: { SPRINTCONNECT_PUBLIC_URL: publicUrl, SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32', ...opts.env },
    clock,
  });
  await t.app.listen({ port, host: '127.0.0.1' });
  const app: SignInApp = {
    t,
    idp,
    publicUrl,
    clock,
    browser: () => new TestBrowser(),
    configureSso: (extra = {}) =>
      fetch(`${publicUrl}/v1/sso`, {
        method: 'PUT',
        headers: { ...t.auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
          ...extra,
        }),
      }),
    ssoLogin: (b, slug = 'default', query = '') =>
      b.navigate(
        `${publicUrl}/auth/sso/${slug}/login${query}`,
        (url) => url.startsWith(publicUrl) && !url.includes('/auth/sso/callback'),
      ),
    async stop() {
      await t.stop();
      await idp.close();
    },
  };
  return app;
}
