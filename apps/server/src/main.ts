import { join } from 'node:path';
import type { Config } from './config/index.ts';
import { readConfigFromProcess } from './config/index.ts';
import type { App } from './http/index.ts';
import { buildApp } from './http/index.ts';
import type { Clock } from './kernel/index.ts';
import { systemClock } from './kernel/index.ts';
import type { DiscoveryService } from './modules/discovery/index.ts';
import {
  createCapabilitiesService,
  createDiscoveryService,
  DISCOVERY_MAX_ATTEMPTS,
  DISCOVERY_QUEUE,
  discoveryRoutes,
} from './modules/discovery/index.ts';
import type { ApiKeyService } from './modules/identity/index.ts';
import { apiKeyAuthenticator, createApiKeyService } from './modules/identity/index.ts';
import { jobRoutes } from './modules/jobs/index.ts';
import { createRegistryService, serverRoutes } from './modules/registry/index.ts';
import { createSearchService, indexCapabilities, searchRoutes } from './modules/search/index.ts';
import { createSecrets, ensureDefaultOrg } from './modules/tenancy/index.ts';
import { deriveKey, loadMasterKey } from './platform/crypto/index.ts';
import type { DatabaseHandle } from './platform/db/index.ts';
import { grantSchemaAccess, openDatabase } from './platform/db/index.ts';
import type { Egress } from './platform/egress/index.ts';
import { createEgress } from './platform/egress/index.ts';
import type { JobQueue } from './platform/jobs/index.ts';
import { startJobQueue } from './platform/jobs/index.ts';
import { VERSION } from './version.ts';

export const MIGRATIONS_DIR = join(import.meta.dirname, '..', 'migrations');

export interface ComposeOptions {
  config: Config;
  database: DatabaseHandle;
  masterKey: Buffer;
  clock?: Clock;
  discoveryTimeouts?: { connectMs?: number; listMs?: number; totalMs?: number };
}

export interface SprintConnect {
  readonly app: App | undefined;
  readonly queue: JobQueue;
  readonly egress: Egress;
  readonly apiKeys: ApiKeyService;
  readonly discovery: DiscoveryService;
  stop(): Promise<void>;
}

/** The composition root: config -> platform -> modules -> adapters. Nothing else wires. */
export async function compose(opts: ComposeOptions): Promise<SprintConnect> {
  const { config, database } = opts;
  const clock = opts.clock ?? systemClock;
  const runsWorker = config.role === 'all' || config.role === 'worker';
  const runsApi = config.role === 'all' || config.role === 'api';

  const secrets = createSecrets(deriveKey(opts.masterKey, 'data-key-wrapping'));
  const apiKeys = createApiKeyService({
    db: database.db,
    pepper: deriveKey(opts.masterKey, 'api-key-pepper'),
  });
  const egress = createEgress({ allow: config.egressAllow });
  const queue = await startJobQueue({
    connectionString: database.adminUrl,
    supervise: runsWorker || config.role === 'scheduler',
    onError: () => undefined,
  });
  await grantSchemaAccess(database.adminPool, 'pgboss');

  let discovery: DiscoveryService | undefined;
  const registry = createRegistryService({
    db: database.db,
    secrets,
    checkUrl: async (url) => {
      const r = await egress.checkUrl(url);
      // A name that does not resolve now is accepted: discovery reports it with guidance (DNS may be split-horizon).
      if (r.ok || r.code === 'egress_dns_failed') return { ok: true };
      return { ok: false, detail: r.detail };
    },
    discovery: { request: (tx, actor, id, o) => discovery!.request(tx, actor, id, o) },
  });
  discovery = createDiscoveryService({
    db: database.db,
    queue,
    registry,
    fetch: egress.fetch,
    index: indexCapabilities,
    clock,
    timeouts: opts.discoveryTimeouts,
  });
  const capabilities = createCapabilitiesService({ db: database.db, registry });
  const search = createSearchService({ db: database.db });

  await queue.ensure({
    name: DISCOVERY_QUEUE,
    retryLimit: DISCOVERY_MAX_ATTEMPTS - 1,
    retryDelaySeconds: 2,
    expireInSeconds: 120,
    concurrency: 4,
  });
  if (runsWorker) await queue.work(DISCOVERY_QUEUE, discovery.run);

  const app = runsApi
    ? await buildApp({
        publicUrl: config.publicUrl,
        logLevel: config.logLevel,
        clock,
        authenticators: [apiKeyAuthenticator(apiKeys)],
        version: VERSION,
        routes: [
          serverRoutes(registry),
          discoveryRoutes(discovery, capabilities),
          jobRoutes(database.db),
          searchRoutes(search),
        ],
        ready: async () => {
          const ok = await database.ping();
          return { ok, checks: { database: ok ? 'ok' : 'unreachable' } };
        },
      })
    : undefined;

  return {
    app,
    queue,
    egress,
    apiKeys,
    discovery,
    async stop() {
      await app?.close();
      await queue.stop();
      await egress.close();
    },
  };
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  print?: (line: string) => void;
}

/** `sprintconnect start`: read config, open (or start) the database, bootstrap, compose, listen. */
export async function start(opts: StartOptions = {}): Promise<{ url: string; stop: () => Promise<void> }> {
  const print = opts.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const parsed = readConfigFromProcess(opts.env ?? {});
  if (!parsed.ok) {
    throw new Error(
      `SprintConnect cannot start; fix these settings:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  const config = parsed.config;
  const t0 = Date.now();
  const masterKey = await loadMasterKey(config.dataDir, config.masterKey);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    appRolePassword: deriveKey(masterKey, 'db-app-role-password').toString('base64url'),
    migrationsDir: MIGRATIONS_DIR,
    poolSize: 20,
    log: print,
  });
  try {
    const { orgId } = await ensureDefaultOrg(database.adminDb);
    const sc = await compose({ config, database, masterKey });
    const boot = await sc.apiKeys.bootstrap(database.adminDb, orgId, config.bootstrapKey);
    if (boot?.generated) {
      print('');
      print('  Admin API key for the default organization (shown once; store it now):');
      print(`  ${boot.token}`);
      print('');
    } else if (boot !== undefined) {
      print('bootstrap: SPRINTCONNECT_BOOTSTRAP_KEY is now an admin API key of the default organization');
    }
    let url = config.publicUrl;
    if (sc.app !== undefined) {
      await sc.app.listen({ port: config.port, host: config.host });
      const addr = sc.app.server.address();
      if (typeof addr === 'object' && addr !== null) url = `http://${config.host}:${addr.port}`;
    }
    print(
      `SprintConnect ${VERSION} (${config.role}) ready at ${url} in ${Date.now() - t0} ms` +
        (config.databaseUrl === undefined ? ' (embedded PostgreSQL)' : ''),
    );
    let stopping: Promise<void> | undefined;
    return {
      url,
      stop: () => {
        stopping ??= (async () => {
          await sc.stop();
          await database.close();
        })();
        return stopping;
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}
