import { join } from 'node:path';
import type { Config } from './config/index.ts';
import { type AppDeps, buildApp } from './http/index.ts';
import { type Clock, systemClock } from './kernel/index.ts';
import { createApiKeysModule } from './modules/api-keys/index.ts';
import { createDiscoveryModule } from './modules/discovery/index.ts';
import { createEgressPolicyModule } from './modules/egress-policy/index.ts';
import { createGatewayModule, type GatewayOptions } from './modules/gateway/index.ts';
import { createIdempotencyModule } from './modules/idempotency/index.ts';
import { type Authenticator, createIdentityModule } from './modules/identity/index.ts';
import { createJobsModule } from './modules/jobs/index.ts';
import { createOAuthModule, type OAuthTestOptions } from './modules/oauth/index.ts';
import { createPolicyModule } from './modules/policy/index.ts';
import { createQuotasModule } from './modules/quotas/index.ts';
import { createRbacModule } from './modules/rbac/index.ts';
import { createRegistryModule } from './modules/registry/index.ts';
import { createSearchModule } from './modules/search/index.ts';
import { createSignInModule } from './modules/sign-in/index.ts';
import { createTenancyModule } from './modules/tenancy/index.ts';
import { createTrustModule } from './modules/trust/index.ts';
import { createUsageModule } from './modules/usage/index.ts';
import { createVirtualServersModule } from './modules/virtual-servers/index.ts';
import type { ModuleParts } from './parts.ts';
import { type DatabaseHandle, onTenantGuardMiss } from './platform/db/index.ts';
import { createPlatform, type PlatformOptions } from './platform/platform.ts';
import { VERSION } from './version.ts';

export const MIGRATIONS_DIR = join(import.meta.dirname, '..', 'migrations');

export interface ComposeOptions extends Pick<PlatformOptions, 'jobSlots' | 'jobLease'> {
  config: Config;
  database: DatabaseHandle;
  masterKey: Buffer;
  clock?: Clock;
  discoveryTimeouts?: { connectMs?: number; listMs?: number; totalMs?: number };
  /** How often buffered API-key usage is written (default 1 s). */
  apiKeyUsageFlushMs?: number;
  /** Tests only: the gateway usage recorder's flush interval, batch size and bound (ADR 0042). */
  usageRecorder?: { flushMs?: number; batchRows?: number; maxBuffered?: number };
  /** How often counted budget usage is written and cached budgets re-read (default 1 s each; ADR 0016). */
  budgetUsage?: { flushMs?: number; refreshMs?: number };
  /** Tests only: authenticators tried before the real ones (e.g. a stand-in for user sign-in). */
  extraAuthenticators?: readonly Authenticator[];
  /** Tests only: the authorization server's password check and refresh grace window (default 5 s). */
  oauth?: OAuthTestOptions;
  /** Tests only: the MCP gateway's catalogue reuse and upstream limits (timeouts, result size). */
  gateway?: GatewayOptions;
  /** Tests only: read the app's log lines and see every route registered (buildApp's logStream, onRoute). */
  http?: Pick<AppDeps, 'logStream' | 'onRoute'>;
}

export type SprintConnect = Awaited<ReturnType<typeof compose>>;

/** The composition root (ADR 0028): config -> platform -> each module in dependency order -> one mount. */
export async function compose(opts: ComposeOptions) {
  const { config, database } = opts;
  const runs = (role: string) => config.role === 'all' || config.role === role;
  const platform = await createPlatform({
    ...{ database, masterKey: opts.masterKey, clock: opts.clock ?? systemClock, logLevel: config.logLevel },
    roles: { api: runs('api'), worker: runs('worker'), scheduler: runs('scheduler') },
    egress: { allow: config.egressAllow, ports: config.egressPorts },
    ...{ logStream: opts.http?.logStream, jobSlots: opts.jobSlots, jobLease: opts.jobLease },
  });
  // Each factory reads its own test knobs from `options` (their types name them).
  const p = { ...platform, config, options: opts };

  // The module table: each is handed the platform and the modules below it that it uses (ADR 0028).
  const tenancy = createTenancyModule(p);
  const identity = createIdentityModule(p);
  const rbac = createRbacModule(p);
  const quotas = createQuotasModule(p);
  const egressPolicy = createEgressPolicyModule(p);
  const idempotency = createIdempotencyModule({ ...p, tenancy });
  const apiKeys = createApiKeysModule({ ...p, quotas, rbac });
  const signIn = createSignInModule({ ...p, tenancy, identity, rbac, egressPolicy });
  const oauth = await createOAuthModule({ ...p, identity, rbac, signIn, apiKeys, egressPolicy });
  const trust = createTrustModule(p);
  const registry = createRegistryModule({ ...p, tenancy, quotas, egressPolicy, trust });
  const search = createSearchModule(p);
  const discovery = createDiscoveryModule({ ...p, registry, search, quotas, egressPolicy });
  const policy = createPolicyModule({ ...p, rbac, quotas, registry, apiKeys, discovery });
  const virtualServers = createVirtualServersModule({ ...p, registry, discovery });
  const usage = createUsageModule(p);
  const modules = { tenancy, identity, rbac, quotas, egressPolicy, idempotency, apiKeys, signIn };
  const more = { oauth, trust, registry, search, discovery, policy, virtualServers, usage };
  const below: readonly ModuleParts[] = [...Object.values(modules), ...Object.values(more)];
  const gateway = createGatewayModule({
    ...{ ...p, rbac, apiKeys, oauth, egressPolicy, registry, policy, virtualServers, quotas },
    // Each module's platform tools, served on /mcp beside the proxied ones (ADR 0045).
    ...{ usage: usage.recorder, platformTools: below.flatMap((m) => m.mcpTools ?? []) },
  });
  const built: readonly ModuleParts[] = [...below, gateway];

  // One mount: job kinds to the runner, schedules to the jobs module, everything else to the HTTP adapter.
  for (const kind of built.flatMap((m) => m.jobKinds ?? [])) platform.jobs.register(kind);
  await platform.jobs.start({ work: platform.roles.worker });
  const jobs = await createJobsModule({ ...p, schedules: built.flatMap((m) => m.schedules ?? []) });
  const all: readonly ModuleParts[] = [...built, jobs];
  const app = platform.roles.api
    ? await buildApp({
        ...{ publicUrl: config.publicUrl, logLevel: config.logLevel, clock: platform.clock, ...opts.http },
        ...{ modules: all, extraAuthenticators: opts.extraAuthenticators, version: VERSION },
        metrics: { render: platform.metrics.render, token: config.metricsToken },
        ready: async () => {
          const ok = await database.ping();
          return { ok, checks: { database: ok ? 'ok' : 'unreachable' } };
        },
      })
    : undefined;
  // Story 8.5: a fetch by id that found nothing the caller may see is logged with why (ADR 0018).
  const stopTenantGuardLog = onTenantGuardMiss((miss) =>
    app?.log.warn({ tenantGuard: miss }, 'tenant guard: no such id in the caller org'),
  );
  return {
    ...{ app, platform, ...modules, ...more, gateway, jobs },
    async stop() {
      stopTenantGuardLog();
      await app?.close();
      await platform.stopJobs();
      // Then each module, the last built first: buffered usage is written before the database goes.
      for (const m of [...all].reverse()) await m.close?.();
      await platform.close();
    },
  };
}
