import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';

describe('config', () => {
  it('defaults to 127.0.0.1:8080, role all, embedded database under ./.sprintconnect', () => {
    const r = parseConfig({}, '/srv/app');
    expect(r.ok && r.config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:8080',
      role: 'all',
      databaseUrl: undefined,
      dataDir: '/srv/app/.sprintconnect',
    });
  });

  it('is frozen once parsed', () => {
    const r = parseConfig({});
    expect(r.ok && Object.isFrozen(r.config)).toBe(true);
  });

  it('lists every bad value at once, each naming its variable and the fix', () => {
    const r = parseConfig({
      PORT: 'eighty',
      SPRINTCONNECT_ROLE: 'boss',
      SPRINTCONNECT_MASTER_KEY: 'short',
      SPRINTCONNECT_BOOTSTRAP_KEY: 'too-short',
      DATABASE_URL: 'mysql://x',
      SPRINTCONNECT_EGRESS_ALLOW: '10.0.0.0/99',
      SPRINTCONNECT_PUBLIC_URL: 'ftp://x',
    });
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    for (const name of [
      'PORT',
      'SPRINTCONNECT_ROLE',
      'SPRINTCONNECT_MASTER_KEY',
      'SPRINTCONNECT_BOOTSTRAP_KEY',
      'DATABASE_URL',
      'SPRINTCONNECT_EGRESS_ALLOW',
      'SPRINTCONNECT_PUBLIC_URL',
    ]) {
      expect(
        problems.some((p) => p.startsWith(name)),
        name,
      ).toBe(true);
    }
    expect(problems.find((p) => p.startsWith('SPRINTCONNECT_MASTER_KEY'))).toMatch(/openssl rand -base64 32/);
  });

  it('accepts a 32-byte base64 master key and a bootstrap key of 32+ characters', () => {
    const r = parseConfig({
      SPRINTCONNECT_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
      SPRINTCONNECT_BOOTSTRAP_KEY: 'x'.repeat(32),
    });
    expect(r.ok && r.config.masterKey?.length).toBe(32);
  });

  it('derives the public URL from HOST and PORT unless set', () => {
    const r = parseConfig({ HOST: '0.0.0.0', PORT: '9000' });
    expect(r.ok && r.config.publicUrl).toBe('http://0.0.0.0:9000');
    const s = parseConfig({ SPRINTCONNECT_PUBLIC_URL: 'https://mcp.example.com/' });
    expect(s.ok && s.config.publicUrl).toBe('https://mcp.example.com');
  });
});
