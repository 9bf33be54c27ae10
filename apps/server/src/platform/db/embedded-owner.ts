import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * Who runs the embedded cluster in a data dir (ADR 0021, issue 8 point 1). PostgreSQL's own `postmaster.pid`
 * says a postmaster runs, not whether the SprintConnect that started it still does: only a postmaster whose
 * owning SprintConnect process is gone is an orphan. The owner file is created with link(2) from a complete
 * temporary file, so a claim is atomic and a reader never sees half a record.
 */
export interface OwnerRecord {
  readonly pid: number;
  readonly host: string;
  /** Linux: the boot and the process start time, so a reused pid (container restart, reboot) is not mistaken. */
  readonly boot?: string;
  readonly startTicks?: string;
  /** The cluster's port, and the service URL once it listens: what a refused second start tells the user. */
  readonly pgPort?: number;
  readonly url?: string;
}

export interface Ownership {
  /** The earlier owner's record when it was stale (its process is gone), else undefined. */
  readonly previous: OwnerRecord | undefined;
  update(patch: Pick<OwnerRecord, 'pgPort' | 'url'>): Promise<void>;
  release(): Promise<void>;
}

/** A second start on a data dir whose SprintConnect still runs: refused before anything is touched. */
export class DataDirInUseError extends Error {
  readonly owner: OwnerRecord;
  constructor(dataDir: string, owner: OwnerRecord) {
    const where = owner.url === undefined ? 'still starting' : `serving ${owner.url}`;
    const pg = owner.pgPort === undefined ? '' : `, its PostgreSQL on 127.0.0.1:${owner.pgPort}`;
    const on = owner.host === hostname() ? '' : ` on host ${owner.host}`;
    super(
      `SprintConnect is already running on the data dir ${dataDir}: process ${owner.pid}${on}, ${where}${pg}.
Nothing was changed. Stop that process first (Ctrl-C in its terminal, or \`kill ${owner.pid}\`), or start this one
with another SPRINTCONNECT_DATA_DIR.`,
    );
    this.name = 'DataDirInUseError';
    this.owner = owner;
  }
}

export const OWNER_FILE = 'sprintconnect-owner.json';

/** Data dirs this process claimed and has not released: our own pid is alive, but only these are ours. */
const heldHere = new Set<string>();

async function linuxIdentity(pid: number): Promise<{ boot?: string; startTicks?: string }> {
  if (process.platform !== 'linux') return {};
  try {
    const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); fields are counted after the ")" that ends the command name, which may hold spaces.
    const startTicks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return { boot, startTicks };
  } catch {
    return {};
  }
}

/** Whether a process runs; a zombie (exited, not yet reaped by a parent that never will) does not. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Whether the recorded owner still runs. Fails closed: what we cannot check (another host) counts as running. */
async function ownerRuns(r: OwnerRecord, path: string): Promise<boolean> {
  if (r.host !== hostname()) return true;
  if (r.pid === process.pid) return heldHere.has(path);
  if (!pidAlive(r.pid)) return false;
  const now = await linuxIdentity(r.pid);
  if (r.boot !== undefined && now.boot !== undefined && r.boot !== now.boot) return false;
  if (r.startTicks !== undefined && now.startTicks !== undefined && r.startTicks !== now.startTicks)
    return false;
  return true;
}

function parse(text: string): OwnerRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<OwnerRecord>;
    return Number.isInteger(r.pid) && typeof r.host === 'string' ? (r as OwnerRecord) : undefined;
  } catch {
    return undefined;
  }
}

async function writeTemp(dir: string, record: OwnerRecord): Promise<string> {
  const tmp = join(dir, `.${OWNER_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
  await writeFile(tmp, `${JSON.stringify(record)}\n`, { mode: 0o644 });
  return tmp;
}

/**
 * The SprintConnect that holds `dir` (the embedded cluster's root) now: its record while its process runs, else
 * undefined. For a tool that must use a running server's cluster without claiming it (`admin create-key`).
 */
export async function runningOwner(dir: string): Promise<OwnerRecord | undefined> {
  const path = join(dir, OWNER_FILE);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const found = text === undefined ? undefined : parse(text);
  if (found === undefined) return undefined;
  return (await ownerRuns(found, path)) ? found : undefined;
}

/** Claims `dir` (the embedded cluster's root) for this process, or throws DataDirInUseError naming the owner. */
export async function claimDataDir(dir: string, dataDir: string): Promise<Ownership> {
  const path = join(dir, OWNER_FILE);
  let record: OwnerRecord = { pid: process.pid, host: hostname(), ...(await linuxIdentity(process.pid)) };
  let previous: OwnerRecord | undefined;
  for (let attempt = 0; ; attempt++) {
    const tmp = await writeTemp(dir, record);
    try {
      await link(tmp, path);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw e;
    } finally {
      await rm(tmp, { force: true });
    }
    const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined; // released meanwhile: try again
      throw new Error(`cannot read ${path} (${e.code}), so cannot tell whether another SprintConnect runs on ${dataDir}.
Start SprintConnect as the user that owns that data dir.`);
    });
    if (text === undefined) continue;
    const found = parse(text);
    if (found !== undefined && (await ownerRuns(found, path))) throw new DataDirInUseError(dataDir, found);
    // Stale (or unreadable) record: move it aside, and make sure what we moved is what we judged; a claim that
    // raced ours in between is put back, and the next round refuses in its favour.
    const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    if (
      !(await rename(path, aside).then(
        () => true,
        () => false,
      ))
    )
      continue;
    const moved = await readFile(aside, 'utf8').catch(() => '');
    if (moved !== text) await link(aside, path).catch(() => undefined);
    else previous = found;
    await unlink(aside).catch(() => undefined);
  }
  heldHere.add(path);
  let released = false;
  return {
    previous,
    async update(patch) {
      if (released) return;
      record = { ...record, ...patch };
      await rename(await writeTemp(dir, record), path);
    },
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(path);
      const text = await readFile(path, 'utf8').catch(() => undefined);
      // Only our own record: never remove a claim another process made after ours was judged stale.
      if (text !== undefined && parse(text)?.pid === process.pid) await rm(path, { force: true });
    },
  };
}
