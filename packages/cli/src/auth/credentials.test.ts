import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configDir } from '../config.ts';
import { LOGIN } from '../testing/login.ts';
import { credentialsPath, deleteLogin, readLogin, saveLogin } from './credentials.ts';

describe('the credentials file', () => {
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'sc-cred-'));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('is written readable by its owner only (0600) in a directory only they can enter (0700)', () => {
    const dir = join(base, 'nested', 'sprintconnect');
    saveLogin(dir, LOGIN);
    expect(statSync(credentialsPath(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readLogin(dir)).toEqual(LOGIN);
  });

  it('tightens a file that already existed with wider permissions (replaced, not rewritten in place)', () => {
    writeFileSync(credentialsPath(base), '{}', { mode: 0o644 });
    saveLogin(base, LOGIN);
    expect(statSync(credentialsPath(base)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(credentialsPath(base), 'utf8')).accessToken).toBe('at-1');
  });

  it('reads as no login when missing, and as an error when it is not a login', () => {
    expect(readLogin(base)).toBeUndefined();
    writeFileSync(credentialsPath(base), '{"version":1}');
    expect(() => readLogin(base)).toThrow(/not a SprintConnect login/);
    deleteLogin(base);
    expect(readLogin(base)).toBeUndefined();
  });
});

describe('the config directory', () => {
  it('is SPRINTCONNECT_CONFIG_DIR, else XDG_CONFIG_HOME/sprintconnect, else ~/.config/sprintconnect', () => {
    expect(configDir({ SPRINTCONNECT_CONFIG_DIR: '/c', XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe('/c');
    expect(configDir({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe(join('/x', 'sprintconnect'));
    expect(configDir({ HOME: '/h' })).toBe(join('/h', '.config', 'sprintconnect'));
    expect(configDir({})).toBeUndefined();
  });
});
