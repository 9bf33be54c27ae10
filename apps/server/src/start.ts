import { readConfigFromProcess } from './config/index.ts';
import { compose, MIGRATIONS_DIR } from './main.ts';
import { ensureDefaultOrg } from './modules/tenancy/index.ts';
import { deriveKey, loadMasterKey } from './platform/crypto/index.ts';
import { openDatabase } from './platform/db/index.ts';
import { VERSION } from './version.ts';

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
    const boot = await sc.apiKeys.keys.bootstrap(database.adminDb, orgId, config.bootstrapKey);
    if (boot?.generated) {
      print('');
      print('  Admin API key for the default organization (shown once; store it now):');
      print(`  ${boot.token}`);
      print('');
    } else if (boot !== undefined) {
      print('bootstrap: SPRINTCONNECT_BOOTSTRAP_KEY is now an admin API key of the default organization');
    }
    if (config.admin !== undefined) {
      const admin = await sc.signIn.bootstrapAdmin(database.adminDb, orgId, config.admin);
      if (admin.created) {
        print(
          `bootstrap: ${config.admin.email} is the owner of the default organization (local password sign-in)`,
        );
      }
    }
    let url = config.publicUrl;
    if (sc.app !== undefined) {
      await sc.app.listen({ port: config.port, host: config.host });
      const addr = sc.app.server.address();
      if (typeof addr === 'object' && addr !== null) url = `http://${config.host}:${addr.port}`;
    }
    // What a second start on this data dir names when it refuses (ADR 0021).
    await database.embedded?.announce(url);
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
