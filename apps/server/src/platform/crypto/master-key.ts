import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The key-encryption key. From SPRINTCONNECT_MASTER_KEY when set; otherwise generated once into the data dir
 * (mode 0600) so a single-host install keeps working across restarts. Multi-host installs must set the variable.
 */
export async function loadMasterKey(dataDir: string, configured: Buffer | undefined): Promise<Buffer> {
  if (configured !== undefined) return configured;
  const path = join(dataDir, 'master.key');
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing !== undefined) {
    const key = Buffer.from(existing.trim(), 'base64');
    if (key.length !== 32)
      throw new Error(
        `${path} does not hold a base64 32-byte key; restore it or set SPRINTCONNECT_MASTER_KEY.`,
      );
    return key;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

/**
 * The master key a running install uses, never a new one: for tools beside the server (`admin create-key`),
 * where a freshly generated key would make secrets the server cannot read. Undefined when there is none.
 */
export async function readMasterKey(
  dataDir: string,
  configured: Buffer | undefined,
): Promise<Buffer | undefined> {
  if (configured !== undefined) return configured;
  const path = join(dataDir, 'master.key');
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing === undefined) return undefined;
  const key = Buffer.from(existing.trim(), 'base64');
  if (key.length !== 32)
    throw new Error(
      `${path} does not hold a base64 32-byte key; restore it or set SPRINTCONNECT_MASTER_KEY.`,
    );
  return key;
}
