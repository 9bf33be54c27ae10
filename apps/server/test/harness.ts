import pg from 'pg';
import { parseConfig } from '../src/config/index.ts';
import type { Clock } from '../src/kernel/index.ts';
import { type ComposeOptions, compose, type SprintConnect } from '../src/main.ts';
import type { Authenticator } from '../src/modules/identity/index.ts';
import type { VerifyPassword } from '../src/modules/sign-in/index.ts';
import { createOrg, ensureDefaultOrg } from '../src/modules/tenancy/index.ts';
import { connectApp } from '../src/platform/db/index.ts';
import { TEST_EGRESS_PORTS, TEST_MASTER_KEY } from './constants.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export { createTestDatabase, type TestDatabase };

export interface TestApp {
  readonly sc: SprintConnect;
  readonly app: NonNullable<SprintConnect['app']>;
  readonly database: TestDatabase;
  readonly orgId: string;
  /** An admin API key of the default org. */
  readonly adminKey: string;
  /** Authorization header for the admin key. */
  readonly auth: { authorization: string };
  /** A second org with its own admin key, for isolation tests. */
  newOrg(
    slug: string,
    scopes?: string[],
  ): Promise<{ orgId: string; key: string; auth: { authorization: string } }>;
  keyWithScopes(scopes: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestApp(
  opts: {
    env?: Record<string, string>;
    clock?: Clock;
    discoveryTimeouts?: { connectMs?: number; listMs?: number; totalMs?: number };
    /** Background job slots per process, per org and per host (ADR 0024). */
    jobSlots?: ComposeOptions['jobSlots'];
    /** Tried before the API-key authenticator, e.g. `testPrincipalAuthenticator` (test/test-principal.ts). */
    extraAuthenticators?: readonly Authenticator[];
    /** How often API-key usage is written (default 1 s). */
    apiKeyUsageFlushMs?: number;
    /** The gateway usage recorder's flush interval, batch size and bound (ADR 0042). */
    usageRecorder?: ComposeOptions['usageRecorder'];
    /** The authorization server's password check and refresh grace window. */
    oauth?: { verifyPassword?: VerifyPassword; refreshGraceMs?: number };
    /** Read the app's log lines (set LOG_LEVEL in env) and see every route as it is registered. */
    http?: ComposeOptions['http'];
    /** The MCP gateway's catalogue reuse and upstream limits. */
    gateway?: ComposeOptions['gateway'];
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const parsed = parseConfig({
    LOG_LEVEL: 'silent',
    PORT: '0',
    SPRINTCONNECT_EGRESS_PORTS: TEST_EGRESS_PORTS,
    ...opts.env,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const { orgId } = await ensureDefaultOrg(database.adminDb);
  const sc = await compose({
    config: parsed.config,
    database,
    masterKey: TEST_MASTER_KEY,
    clock: opts.clock,
    discoveryTimeouts: opts.discoveryTimeouts,
    ...(opts.jobSlots === undefined ? {} : { jobSlots: opts.jobSlots }),
    extraAuthenticators: opts.extraAuthenticators,
    apiKeyUsageFlushMs: opts.apiKeyUsageFlushMs,
    usageRecorder: opts.usageRecorder,
    oauth: opts.oauth,
    http: opts.http,
    ...(opts.gateway === undefined ? {} : { gateway: opts.gateway }),
  });
  const boot = await sc.apiKeys.keys.bootstrap(database.adminDb, orgId, undefined);
  const adminKey = boot!.token;
  const system = (org: string) => ({ type: 'system' as const, id: 'test', orgId: org });
  return {
    sc,
    app: sc.app!,
    database,
    orgId,
    adminKey,
    auth: { authorization: `Bearer ${adminKey}` },
    async newOrg(slug, scopes = ['admin']) {
      const id = await createOrg(database.adminDb, { slug, name: slug });
      const { token } = await sc.apiKeys.keys.create(system(id), { name: `${slug} key`, scopes });
      return { orgId: id, key: token, auth: { authorization: `Bearer ${token}` } };
    },
    async keyWithScopes(scopes) {
      return (await sc.apiKeys.keys.create(system(orgId), { name: `key ${scopes.join(' ')}`, scopes })).token;
    },
    async stop() {
      await sc.stop();
      await database.drop();
    },
  };
}

/**
 * Another SprintConnect process on the same database as `t`: its own connection pools, caches and LISTEN
 * connection, as a second replica would have. For cross-process behaviour (cache invalidation).
 */
export async function startSecondApp(
  t: TestApp,
  opts: { env?: Record<string, string>; clock?: Clock; extraAuthenticators?: readonly Authenticator[] } = {},
): Promise<{ sc: SprintConnect; app: NonNullable<SprintConnect['app']>; stop(): Promise<void> }> {
  const parsed = parseConfig({
    LOG_LEVEL: 'silent',
    PORT: '0',
    SPRINTCONNECT_ROLE: 'api',
    SPRINTCONNECT_EGRESS_PORTS: TEST_EGRESS_PORTS,
    ...opts.env,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const adminPool = new pg.Pool({ connectionString: t.database.adminUrl, max: 2 });
  adminPool.on('error', () => undefined);
  const database = connectApp({ adminPool, adminUrl: t.database.adminUrl, appUrl: t.database.appUrl });
  const sc = await compose({
    config: parsed.config,
    database,
    masterKey: TEST_MASTER_KEY,
    clock: opts.clock,
    extraAuthenticators: opts.extraAuthenticators,
  });
  return {
    sc,
    app: sc.app!,
    async stop() {
      await sc.stop();
      await database.close();
    },
  };
}

/** Polls until `check` returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  ms = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
