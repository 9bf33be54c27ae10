import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_EGRESS_PORTS, parseEgressAllow, parseEgressPorts } from '../platform/egress/index.ts';

export type Role = 'all' | 'api' | 'worker' | 'scheduler';
const ROLES: readonly Role[] = ['all', 'api', 'worker', 'scheduler'];
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly role: Role;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** 32 bytes, from SPRINTCONNECT_MASTER_KEY; undefined means "generate into the data dir". */
  readonly masterKey: Buffer | undefined;
  readonly bootstrapKey: string | undefined;
  /** Raw entries of SPRINTCONNECT_EGRESS_ALLOW; the egress module parses them. */
  readonly egressAllow: readonly string[];
  /**
   * The ports outbound calls may use (SPRINTCONNECT_EGRESS_PORTS), normalized, e.g. `80,443,8000-8999`; default
   * `80,443`. Fetch "bad ports" stay refused whatever it says (ADR 0027).
   */
  readonly egressPorts: string;
  readonly cronSecret: string | undefined;
  /** Requests per minute per API key, counted across all processes (SPRINTCONNECT_API_KEY_RATE_LIMIT). */
  readonly apiKeyRateLimit: number;
  /**
   * Days an API key's usage records are kept (SPRINTCONNECT_API_KEY_USAGE_RETENTION_DAYS, default 90): older ones
   * are deleted by the usage purge (ADR 0037).
   */
  readonly apiKeyUsageRetentionDays: number;
  /**
   * Days the gateway's usage records are kept (SPRINTCONNECT_USAGE_RETENTION_DAYS, default 90): older ones are
   * deleted by the usage purge (ADR 0042).
   */
  readonly usageRetentionDays: number;
  /** Requests per minute per organization, all its callers together, across processes (SPRINTCONNECT_ORG_RATE_LIMIT). */
  readonly orgRateLimit: number;
  /** Requests per minute per organization once a `throttle` budget is used up (SPRINTCONNECT_BUDGET_THROTTLE_RATE). */
  readonly budgetThrottleRate: number;
  /**
   * Outbound requests per minute per organization, across processes (SPRINTCONNECT_EGRESS_RATE_LIMIT): the
   * default for an org without its own limit and the most an org may set.
   */
  readonly egressRateLimit: number;
  /**
   * Failed authentications (client secrets at /oidc/token, passwords) per minute from one source network,
   * across processes (SPRINTCONNECT_AUTH_FAILURES_PER_SOURCE); then 429 until the minute is over.
   */
  readonly authFailuresPerSource: number;
  /** Failed client authentications per minute of one client id at /oidc/token (SPRINTCONNECT_AUTH_FAILURES_PER_CLIENT). */
  readonly authFailuresPerClient: number;
  /** Bearer token Prometheus sends to /metrics (SPRINTCONNECT_METRICS_TOKEN); unset: loopback callers only. */
  readonly metricsToken: string | undefined;
  readonly logLevel: LogLevel;
  /** How long an invitation link works, in hours (SPRINTCONNECT_INVITATION_TTL_HOURS, default 168 = 7 days). */
  readonly invitationTtlHours: number;
  /** First start: a local owner account of the default org (both set or neither). */
  readonly admin: { readonly email: string; readonly password: string } | undefined;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment once and lists every problem, each naming the variable and the fix, so an operator
 * repairs a bad deployment in one pass instead of one restart per mistake.
 */
export function parseConfig(env: Env, cwd: string = process.cwd()): ConfigResult {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  let port = 8080;
  const rawPort = str('PORT');
  if (rawPort !== undefined) {
    const n = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || n < 0 || n > 65535) {
      problems.push(`PORT must be a whole number from 0 to 65535 (got "${rawPort}"); unset it to use 8080.`);
    } else port = n;
  }
  const host = str('HOST') ?? '127.0.0.1';

  let publicUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const rawPublic = str('SPRINTCONNECT_PUBLIC_URL');
  if (rawPublic !== undefined) {
    try {
      const u = new URL(rawPublic);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      publicUrl = u.origin + u.pathname.replace(/\/+$/, '');
    } catch {
      problems.push(
        `SPRINTCONNECT_PUBLIC_URL must be an absolute http(s) URL such as https://mcp.example.com (got "${rawPublic}").`,
      );
    }
  }

  const rawRole = str('SPRINTCONNECT_ROLE') ?? 'all';
  const role = ROLES.find((r) => r === rawRole);
  if (role === undefined)
    problems.push(`SPRINTCONNECT_ROLE must be one of ${ROLES.join(', ')} (got "${rawRole}").`);

  const databaseUrl = str('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(
      'DATABASE_URL must be a postgres:// or postgresql:// URL; unset it to use the embedded database.',
    );
  }

  const rawDir = str('SPRINTCONNECT_DATA_DIR') ?? './.sprintconnect';
  const dataDir = isAbsolute(rawDir) ? rawDir : resolve(cwd, rawDir);

  let masterKey: Buffer | undefined;
  const rawMaster = str('SPRINTCONNECT_MASTER_KEY');
  if (rawMaster !== undefined) {
    const buf = Buffer.from(rawMaster, 'base64');
    if (buf.length !== 32 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(rawMaster)) {
      problems.push(
        'SPRINTCONNECT_MASTER_KEY must be 32 bytes in base64 (generate one with `openssl rand -base64 32`); ' +
          'unset it to have one generated into the data dir.',
      );
    } else masterKey = buf;
  }

  const bootstrapKey = str('SPRINTCONNECT_BOOTSTRAP_KEY');
  if (bootstrapKey !== undefined && bootstrapKey.length < 32) {
    problems.push(
      `SPRINTCONNECT_BOOTSTRAP_KEY must be at least 32 characters (got ${bootstrapKey.length}); ` +
        'unset it to have one generated and printed once.',
    );
  }

  const egressAllow = (str('SPRINTCONNECT_EGRESS_ALLOW') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const allowCheck = parseEgressAllow(egressAllow);
  if (!allowCheck.ok) {
    for (const e of allowCheck.errors) problems.push(`SPRINTCONNECT_EGRESS_ALLOW: ${e}`);
  }

  let egressPorts = DEFAULT_EGRESS_PORTS;
  const rawPorts = str('SPRINTCONNECT_EGRESS_PORTS');
  if (rawPorts !== undefined) {
    const portsCheck = parseEgressPorts(rawPorts);
    // Each problem already starts with the variable's name and says the fix.
    if (portsCheck.ok) egressPorts = portsCheck.ports.text;
    else problems.push(...portsCheck.errors);
  }

  const cronSecret = str('CRON_SECRET');
  if (cronSecret !== undefined && cronSecret.length < 16) {
    problems.push('CRON_SECRET must be at least 16 characters; unset it to disable POST /api/cron/<job>.');
  }

  let apiKeyRateLimit = 600;
  const rawRate = str('SPRINTCONNECT_API_KEY_RATE_LIMIT');
  if (rawRate !== undefined) {
    const n = Number(rawRate);
    if (!/^\d+$/.test(rawRate) || n < 1 || n > 1_000_000) {
      problems.push(
        `SPRINTCONNECT_API_KEY_RATE_LIMIT must be a whole number of requests per minute from 1 to 1000000 (got "${rawRate}"); unset it for 600.`,
      );
    } else apiKeyRateLimit = n;
  }

  const retentionDays = (name: string, fallback: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > 3650) {
      problems.push(
        `${name} must be a whole number of days from 1 to 3650 (got "${raw}"); unset it for ${fallback}.`,
      );
      return fallback;
    }
    return n;
  };
  // Ninety days covers a quarter's review of who used which key; the bound is the longest key lifetime (3650 days).
  const apiKeyUsageRetentionDays = retentionDays('SPRINTCONNECT_API_KEY_USAGE_RETENTION_DAYS', 90);
  // Raw gateway call records for a quarter too (ADR 0042); long-range trends are the analytics issue's rollups.
  const usageRetentionDays = retentionDays('SPRINTCONNECT_USAGE_RETENTION_DAYS', 90);

  const perMinute = (name: string, fallback: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > 1_000_000) {
      problems.push(
        `${name} must be a whole number of requests per minute from 1 to 1000000 (got "${raw}"); unset it for ${fallback}.`,
      );
      return fallback;
    }
    return n;
  };
  const orgRateLimit = perMinute('SPRINTCONNECT_ORG_RATE_LIMIT', 6000);
  const budgetThrottleRate = perMinute('SPRINTCONNECT_BUDGET_THROTTLE_RATE', 60);
  const egressRateLimit = perMinute('SPRINTCONNECT_EGRESS_RATE_LIMIT', 600);
  // ADR 0022: enough for a person mistyping and a CI fleet behind one NAT, far too few to guess or spray.
  const authFailuresPerSource = perMinute('SPRINTCONNECT_AUTH_FAILURES_PER_SOURCE', 20);
  const authFailuresPerClient = perMinute('SPRINTCONNECT_AUTH_FAILURES_PER_CLIENT', 10);

  // /metrics carries org ids: without a token it answers only loopback callers (ADR 0014).
  const metricsToken = str('SPRINTCONNECT_METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    problems.push(
      'SPRINTCONNECT_METRICS_TOKEN must be at least 16 characters (generate one with `openssl rand -hex 16`); ' +
        'unset it to serve /metrics to loopback callers only.',
    );
  }

  let invitationTtlHours = 168;
  const rawTtl = str('SPRINTCONNECT_INVITATION_TTL_HOURS');
  if (rawTtl !== undefined) {
    const n = Number(rawTtl);
    // Issue 10 point 5: links expire; 90 days is the longest an unused account may wait for its owner.
    if (!/^\d+$/.test(rawTtl) || n < 1 || n > 2160) {
      problems.push(
        `SPRINTCONNECT_INVITATION_TTL_HOURS must be a whole number of hours from 1 to 2160 (got "${rawTtl}"); unset it for 168 (7 days).`,
      );
    } else invitationTtlHours = n;
  }

  const adminEmail = str('SPRINTCONNECT_ADMIN_EMAIL');
  // The password is taken verbatim: leading or trailing spaces may be part of it.
  const adminPassword =
    env.SPRINTCONNECT_ADMIN_PASSWORD === '' ? undefined : env.SPRINTCONNECT_ADMIN_PASSWORD;
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    problems.push(
      'SPRINTCONNECT_ADMIN_EMAIL and SPRINTCONNECT_ADMIN_PASSWORD go together: set both to create the first ' +
        'local admin, or neither.',
    );
  }
  if (adminEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(adminEmail)) {
    problems.push(
      `SPRINTCONNECT_ADMIN_EMAIL must be an email address such as admin@example.com (got "${adminEmail}").`,
    );
  }
  if (adminPassword !== undefined && (adminPassword.length < 12 || adminPassword.length > 1024)) {
    problems.push(
      `SPRINTCONNECT_ADMIN_PASSWORD must be 12 to 1024 characters (got ${adminPassword.length}); ` +
        'a passphrase of several words is easiest to remember.',
    );
  }
  const admin =
    adminEmail !== undefined && adminPassword !== undefined
      ? Object.freeze({ email: adminEmail.toLowerCase(), password: adminPassword })
      : undefined;

  const rawLevel = str('LOG_LEVEL') ?? 'info';
  const logLevel = LOG_LEVELS.find((l) => l === rawLevel);
  if (logLevel === undefined)
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${rawLevel}").`);

  if (problems.length > 0 || role === undefined || logLevel === undefined) return { ok: false, problems };
  return {
    ok: true,
    config: Object.freeze({
      port,
      host,
      publicUrl,
      role,
      databaseUrl,
      dataDir,
      masterKey,
      bootstrapKey,
      egressAllow: Object.freeze(egressAllow),
      egressPorts,
      cronSecret,
      apiKeyRateLimit,
      apiKeyUsageRetentionDays,
      usageRetentionDays,
      orgRateLimit,
      budgetThrottleRate,
      egressRateLimit,
      authFailuresPerSource,
      authFailuresPerClient,
      metricsToken,
      logLevel,
      invitationTtlHours,
      admin,
    }),
  };
}
