import { describe, expect, it } from 'vitest';
import { type Config, parseConfig } from './config.ts';

/** The config of an environment that must parse; fails the test with the problems otherwise. */
function config(env: Record<string, string>): Config {
  const r = parseConfig(env, '/srv/app');
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.config;
}

function problems(env: Record<string, string>): string[] {
  const r = parseConfig(env, '/srv/app');
  return r.ok ? [] : r.problems;
}

describe('config values at their edges', () => {
  it.each(['all', 'api', 'worker', 'scheduler'] as const)(
    'runs the %s role when SPRINTCONNECT_ROLE says so',
    (role) => {
      expect(config({ SPRINTCONNECT_ROLE: role }).role).toBe(role);
    },
  );

  it('names the roles it knows when SPRINTCONNECT_ROLE is none of them', () => {
    expect(problems({ SPRINTCONNECT_ROLE: 'boss' })).toEqual([
      'SPRINTCONNECT_ROLE must be one of all, api, worker, scheduler (got "boss").',
    ]);
  });

  it.each(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const)(
    'logs at LOG_LEVEL=%s',
    (level) => {
      expect(config({ LOG_LEVEL: level }).logLevel).toBe(level);
    },
  );

  it('logs at info by default and names the levels it knows for any other LOG_LEVEL', () => {
    expect(config({}).logLevel).toBe('info');
    expect(problems({ LOG_LEVEL: 'verbose' })).toEqual([
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose").',
    ]);
  });

  it('trims the spaces around a value, as a shell or a .env file may leave them', () => {
    expect(config({ PORT: ' 9000 ', SPRINTCONNECT_ROLE: ' api ' })).toMatchObject({
      port: 9000,
      role: 'api',
    });
  });

  it('treats a value of spaces only as unset', () => {
    expect(config({ PORT: '   ', SPRINTCONNECT_ROLE: ' ' })).toMatchObject({ port: 8080, role: 'all' });
  });

  it('takes PORT from 0 (any free port) to 65535 and refuses anything that is not those digits alone', () => {
    expect(config({ PORT: '0' }).port).toBe(0);
    expect(config({ PORT: '65535' }).port).toBe(65535);
    for (const bad of ['65536', 'x80', '80x', '8e3']) {
      expect(problems({ PORT: bad }), bad).toEqual([expect.stringMatching(/^PORT must be a whole number/)]);
    }
  });

  it('brackets an IPv6 HOST in the derived public URL', () => {
    expect(config({ HOST: '::1', PORT: '9000' }).publicUrl).toBe('http://[::1]:9000');
  });

  it('takes an http or https public URL with a path, dropping every trailing slash', () => {
    expect(config({ SPRINTCONNECT_PUBLIC_URL: 'http://localhost:8080/sc' }).publicUrl).toBe(
      'http://localhost:8080/sc',
    );
    expect(config({ SPRINTCONNECT_PUBLIC_URL: 'https://mcp.example.com/sc//' }).publicUrl).toBe(
      'https://mcp.example.com/sc',
    );
  });

  it('takes postgres:// and postgresql:// database URLs and nothing that merely contains one', () => {
    expect(config({ DATABASE_URL: 'postgres://u@db/sc' }).databaseUrl).toBe('postgres://u@db/sc');
    expect(config({ DATABASE_URL: 'postgresql://u@db/sc' }).databaseUrl).toBe('postgresql://u@db/sc');
    expect(problems({ DATABASE_URL: 'jdbc:postgresql://db/sc' })).toEqual([
      expect.stringMatching(/^DATABASE_URL must be/),
    ]);
  });

  it('puts the data dir where SPRINTCONNECT_DATA_DIR says, relative to the working directory', () => {
    expect(config({ SPRINTCONNECT_DATA_DIR: 'data' }).dataDir).toBe('/srv/app/data');
    expect(config({ SPRINTCONNECT_DATA_DIR: '/var/lib/sc' }).dataDir).toBe('/var/lib/sc');
  });

  it('takes the master key in base64 or base64url, with or without padding, and nothing else around it', () => {
    const key = Buffer.alloc(32, 0xfb);
    for (const spelled of [key.toString('base64'), key.toString('base64url')]) {
      expect(config({ SPRINTCONNECT_MASTER_KEY: spelled }).masterKey?.equals(key), spelled).toBe(true);
    }
    // Buffer.from(..., 'base64') skips characters outside the alphabet; a key with them is a paste error.
    for (const stray of [`${key.toString('base64')}!`, `!${key.toString('base64')}`]) {
      expect(problems({ SPRINTCONNECT_MASTER_KEY: stray }), stray).toEqual([
        expect.stringMatching(/^SPRINTCONNECT_MASTER_KEY must be 32 bytes/),
      ]);
    }
  });

  it('keeps the SPRINTCONNECT_EGRESS_ALLOW entries trimmed, without blanks, frozen', () => {
    const allow = config({ SPRINTCONNECT_EGRESS_ALLOW: ' 10.0.0.0/8 , ,svc.test ' }).egressAllow;
    expect(allow).toEqual(['10.0.0.0/8', 'svc.test']);
    expect(Object.isFrozen(allow)).toBe(true);
  });

  it('takes a CRON_SECRET of 16 characters or more, and refuses a shorter one', () => {
    expect(config({}).cronSecret).toBeUndefined();
    expect(config({ CRON_SECRET: 's'.repeat(16) }).cronSecret).toBe('s'.repeat(16));
    expect(problems({ CRON_SECRET: 's'.repeat(15) })).toEqual([
      'CRON_SECRET must be at least 16 characters; unset it to disable POST /api/cron/<job>.',
    ]);
  });

  it.each([
    'SPRINTCONNECT_API_KEY_RATE_LIMIT',
    'SPRINTCONNECT_ORG_RATE_LIMIT',
    'SPRINTCONNECT_EGRESS_RATE_LIMIT',
  ])('takes %s from 1 to 1000000 requests per minute, bounds included', (name) => {
    const key = {
      SPRINTCONNECT_API_KEY_RATE_LIMIT: 'apiKeyRateLimit',
      SPRINTCONNECT_ORG_RATE_LIMIT: 'orgRateLimit',
      SPRINTCONNECT_EGRESS_RATE_LIMIT: 'egressRateLimit',
    }[name] as 'apiKeyRateLimit' | 'orgRateLimit' | 'egressRateLimit';
    expect(config({ [name]: '1' })[key]).toBe(1);
    expect(config({ [name]: '1000000' })[key]).toBe(1_000_000);
    expect(problems({ [name]: '1000001' })).toEqual([expect.stringMatching(new RegExp(`^${name} must be`))]);
  });

  it('treats an empty SPRINTCONNECT_ADMIN_PASSWORD as unset', () => {
    expect(config({ SPRINTCONNECT_ADMIN_PASSWORD: '' }).admin).toBeUndefined();
  });

  it('refuses an admin email with spaces in it or after it', () => {
    for (const email of ['first last@example.com', 'admin@example.com other@example.com']) {
      expect(
        problems({ SPRINTCONNECT_ADMIN_EMAIL: email, SPRINTCONNECT_ADMIN_PASSWORD: 'p'.repeat(12) }),
        email,
      ).toEqual([expect.stringMatching(/^SPRINTCONNECT_ADMIN_EMAIL must be an email/)]);
    }
  });

  it('takes an admin password of 12 to 1024 characters, bounds included', () => {
    for (const n of [12, 1024]) {
      const password = 'p'.repeat(n);
      expect(
        config({ SPRINTCONNECT_ADMIN_EMAIL: 'a@example.com', SPRINTCONNECT_ADMIN_PASSWORD: password }).admin,
      ).toEqual({
        email: 'a@example.com',
        password,
      });
    }
    expect(
      problems({
        SPRINTCONNECT_ADMIN_EMAIL: 'a@example.com',
        SPRINTCONNECT_ADMIN_PASSWORD: 'p'.repeat(1025),
      }),
    ).toEqual([
      expect.stringMatching(/^SPRINTCONNECT_ADMIN_PASSWORD must be 12 to 1024 characters \(got 1025\)/),
    ]);
  });
});

describe('each config problem says how to fix it', () => {
  it.each([
    [{ SPRINTCONNECT_MASTER_KEY: 'short' }, 'unset it to have one generated into the data dir.'],
    [{ SPRINTCONNECT_BOOTSTRAP_KEY: 'short' }, 'unset it to have one generated and printed once.'],
    [{ SPRINTCONNECT_METRICS_TOKEN: 'short' }, 'unset it to serve /metrics to loopback callers only.'],
    [{ SPRINTCONNECT_ADMIN_EMAIL: 'a@example.com' }, 'set both to create the first local admin, or neither.'],
    [
      { SPRINTCONNECT_ADMIN_EMAIL: 'a@example.com', SPRINTCONNECT_ADMIN_PASSWORD: 'short' },
      'a passphrase of several words is easiest to remember.',
    ],
  ] as const)('%j: "%s"', (env, fix) => {
    expect(problems(env)).toEqual([expect.stringContaining(fix)]);
  });
});
