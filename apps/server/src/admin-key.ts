import { hostname, userInfo } from 'node:os';
import { readConfigFromProcess } from './config/index.ts';
import { MIGRATIONS_DIR } from './main.ts';
import { createOperatorAdminKey } from './modules/api-keys/index.ts';
import { listOrgs } from './modules/tenancy/index.ts';
import { deriveKey, readMasterKey } from './platform/crypto/index.ts';
import { openOperatorDatabase } from './platform/db/index.ts';

export interface AdminKeyOptions {
  env?: Record<string, string | undefined>;
  /** The org's slug or id; may be left out when there is only one org. */
  org?: string | undefined;
  name?: string | undefined;
  /** Progress for the operator (where the database was found). */
  log?: (line: string) => void;
}

export interface AdminKey {
  readonly id: string;
  readonly name: string;
  readonly token: string;
  readonly org: { readonly id: string; readonly slug: string };
  /** Where the database was found. */
  readonly via: string;
}

function operator() {
  let osUser = 'unknown';
  try {
    osUser = userInfo().username;
  } catch {
    // a uid without a passwd entry (some containers)
  }
  return { osUser, host: hostname(), pid: process.pid };
}

/**
 * `sprintconnect admin create-key` (issue 10 point 7): recovers admin access for someone with access to the
 * machine. Reads the same settings as `sprintconnect start` (data dir or DATABASE_URL, master key), opens the
 * database beside a running server or on its own (platform/db/operator.ts), and makes an `admin` key of the
 * org, audited as `system:operator`. The key is returned once; only its HMAC is stored.
 */
export async function createAdminKey(opts: AdminKeyOptions = {}): Promise<AdminKey> {
  const parsed = readConfigFromProcess(opts.env ?? {});
  if (!parsed.ok) {
    throw new Error(`fix these settings first:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const config = parsed.config;
  const master = await readMasterKey(config.dataDir, config.masterKey);
  if (master === undefined) {
    throw new Error(
      `no master key: SPRINTCONNECT_MASTER_KEY is not set and ${config.dataDir}/master.key does not exist. ` +
        'Run this with the settings `sprintconnect start` uses (same directory, or the same environment).',
    );
  }
  const database = await openOperatorDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    migrationsDir: MIGRATIONS_DIR,
    log: opts.log,
  });
  try {
    const orgs = await listOrgs(database.db);
    const wanted = opts.org?.trim();
    const org =
      wanted === undefined || wanted === ''
        ? orgs.length === 1
          ? orgs[0]
          : undefined
        : orgs.find((o) => o.slug === wanted || o.id === wanted);
    if (org === undefined) {
      const names = orgs.map((o) => o.slug).join(', ');
      throw new Error(
        wanted === undefined || wanted === ''
          ? `there are ${orgs.length} organizations (${names}); name one with --org <slug>`
          : `no organization "${wanted}"; there are: ${names}`,
      );
    }
    const name = opts.name?.trim() || `admin key recovered ${new Date().toISOString().slice(0, 16)}Z`;
    const key = await createOperatorAdminKey(database.db, deriveKey(master, 'api-key-pepper'), org.id, {
      name,
      operator: operator(),
    });
    return { id: key.id, name, token: key.token, org: { id: org.id, slug: org.slug }, via: database.via };
  } finally {
    await database.close();
  }
}
