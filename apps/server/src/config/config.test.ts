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
      SPRINTCONNECT_EGRESS_PORTS: '80,http',
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
      'SPRINTCONNECT_EGRESS_PORTS',
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

  it('takes the first admin from SPRINTCONNECT_ADMIN_EMAIL and SPRINTCONNECT_ADMIN_PASSWORD, email lower-cased', () => {
    const r = parseConfig({
      SPRINTCONNECT_ADMIN_EMAIL: 'Admin@Example.com',
      SPRINTCONNECT_ADMIN_PASSWORD: ' a long passphrase ',
    });
    expect(r.ok && r.config.admin).toEqual({ email: 'admin@example.com', password: ' a long passphrase ' });
    const none = parseConfig({});
    expect(none.ok && none.config.admin).toBeUndefined();
  });

  it('refuses an admin email without a password, a malformed email and a password under 12 characters', () => {
    const half = parseConfig({ SPRINTCONNECT_ADMIN_EMAIL: 'admin@example.com' });
    expect(half.ok ? [] : half.problems).toEqual([expect.stringMatching(/go together/)]);
    const bad = parseConfig({ SPRINTCONNECT_ADMIN_EMAIL: 'admin', SPRINTCONNECT_ADMIN_PASSWORD: 'short' });
    const problems = bad.ok ? [] : bad.problems;
    expect(problems.some((p) => p.startsWith('SPRINTCONNECT_ADMIN_EMAIL must be an email'))).toBe(true);
    expect(problems.some((p) => p.startsWith('SPRINTCONNECT_ADMIN_PASSWORD must be 12'))).toBe(true);
  });

  it('limits each API key to 600 requests per minute unless SPRINTCONNECT_API_KEY_RATE_LIMIT says otherwise', () => {
    const d = parseConfig({});
    expect(d.ok && d.config.apiKeyRateLimit).toBe(600);
    const r = parseConfig({ SPRINTCONNECT_API_KEY_RATE_LIMIT: '5' });
    expect(r.ok && r.config.apiKeyRateLimit).toBe(5);
    for (const bad of ['0', '-1', '1.5', 'lots']) {
      const b = parseConfig({ SPRINTCONNECT_API_KEY_RATE_LIMIT: bad });
      expect(b.ok ? [] : b.problems).toEqual([
        expect.stringMatching(/^SPRINTCONNECT_API_KEY_RATE_LIMIT must be/),
      ]);
    }
  });

  for (const [name, field] of [
    ['SPRINTCONNECT_API_KEY_USAGE_RETENTION_DAYS', 'apiKeyUsageRetentionDays'],
    ['SPRINTCONNECT_USAGE_RETENTION_DAYS', 'usageRetentionDays'],
  ] as const) {
    it(`keeps usage records 90 days unless ${name} says otherwise`, () => {
      const d = parseConfig({});
      expect(d.ok && d.config[field]).toBe(90);
      const r = parseConfig({ [name]: '30' });
      expect(r.ok && r.config[field]).toBe(30);
      for (const bad of ['0', '-1', '1.5', 'forever', '3651']) {
        const b = parseConfig({ [name]: bad });
        expect(b.ok ? [] : b.problems).toEqual([
          expect.stringMatching(new RegExp(`^${name} must be a whole number of days`)),
        ]);
      }
    });
  }

  it('limits each org to 6000 requests per minute and a throttled budget to 60, unless configured otherwise', () => {
    const d = parseConfig({});
    expect(d.ok && [d.config.orgRateLimit, d.config.budgetThrottleRate]).toEqual([6000, 60]);
    const r = parseConfig({ SPRINTCONNECT_ORG_RATE_LIMIT: '7', SPRINTCONNECT_BUDGET_THROTTLE_RATE: '3' });
    expect(r.ok && [r.config.orgRateLimit, r.config.budgetThrottleRate]).toEqual([7, 3]);
    for (const bad of ['0', '-1', '1.5', 'lots', '1000001']) {
      const b = parseConfig({ SPRINTCONNECT_ORG_RATE_LIMIT: bad, SPRINTCONNECT_BUDGET_THROTTLE_RATE: bad });
      expect(b.ok ? [] : b.problems).toEqual([
        expect.stringMatching(/^SPRINTCONNECT_ORG_RATE_LIMIT must be/),
        expect.stringMatching(/^SPRINTCONNECT_BUDGET_THROTTLE_RATE must be/),
      ]);
    }
  });

  it('makes invitation links work 7 days unless SPRINTCONNECT_INVITATION_TTL_HOURS says 1 to 2160 hours', () => {
    const d = parseConfig({});
    expect(d.ok && d.config.invitationTtlHours).toBe(168);
    const r = parseConfig({ SPRINTCONNECT_INVITATION_TTL_HOURS: '24' });
    expect(r.ok && r.config.invitationTtlHours).toBe(24);
    for (const bad of ['0', '2161', '1.5', 'week']) {
      const b = parseConfig({ SPRINTCONNECT_INVITATION_TTL_HOURS: bad });
      expect(b.ok ? [] : b.problems).toEqual([
        expect.stringMatching(/^SPRINTCONNECT_INVITATION_TTL_HOURS must be/),
      ]);
    }
  });

  it('limits each org to 600 outbound requests per minute unless SPRINTCONNECT_EGRESS_RATE_LIMIT says otherwise', () => {
    const d = parseConfig({});
    expect(d.ok && d.config.egressRateLimit).toBe(600);
    const r = parseConfig({ SPRINTCONNECT_EGRESS_RATE_LIMIT: '30' });
    expect(r.ok && r.config.egressRateLimit).toBe(30);
    const b = parseConfig({ SPRINTCONNECT_EGRESS_RATE_LIMIT: '0' });
    expect(b.ok ? [] : b.problems).toEqual([
      expect.stringMatching(/^SPRINTCONNECT_EGRESS_RATE_LIMIT must be/),
    ]);
  });

  it('lets outbound calls use ports 80 and 443 only, unless SPRINTCONNECT_EGRESS_PORTS lists others', () => {
    const d = parseConfig({});
    expect(d.ok && d.config.egressPorts).toBe('80,443');
    const r = parseConfig({ SPRINTCONNECT_EGRESS_PORTS: ' 8000-8999, 443 ,80,8080' });
    expect(r.ok && r.config.egressPorts).toBe('80,443,8000-8999');
    const empty = parseConfig({ SPRINTCONNECT_EGRESS_PORTS: '' });
    expect(empty.ok && empty.config.egressPorts).toBe('80,443');
  });

  it('lists every bad SPRINTCONNECT_EGRESS_PORTS entry at once, each with the fix', () => {
    const b = parseConfig({ SPRINTCONNECT_EGRESS_PORTS: '0,65536,9000-8000,http,1-2-3,6000,443' });
    const problems = b.ok ? [] : b.problems;
    expect(problems).toHaveLength(6);
    expect(problems.every((p) => p.startsWith('SPRINTCONNECT_EGRESS_PORTS'))).toBe(true);
    for (const entry of ['"0"', '"65536"', '"9000-8000"', '"http"', '"1-2-3"']) {
      expect(problems.find((p) => p.includes(entry))).toMatch(
        /ranges such as 8000-8999; unset it for 80,443$/,
      );
    }
    // A lone bad port could never be used; it is named rather than silently ignored.
    expect(problems.find((p) => p.includes('6000'))).toMatch(/"bad port" in the Fetch Standard.*remove it/);
    const none = parseConfig({ SPRINTCONNECT_EGRESS_PORTS: ' , ' });
    expect(none.ok ? [] : none.problems).toEqual([
      expect.stringMatching(/^SPRINTCONNECT_EGRESS_PORTS lists no port/),
    ]);
  });

  it('allows 20 failed authentications per source and 10 per client id a minute unless configured', () => {
    const d = parseConfig({});
    expect(d.ok && [d.config.authFailuresPerSource, d.config.authFailuresPerClient]).toEqual([20, 10]);
    const r = parseConfig({
      SPRINTCONNECT_AUTH_FAILURES_PER_SOURCE: '50',
      SPRINTCONNECT_AUTH_FAILURES_PER_CLIENT: '3',
    });
    expect(r.ok && [r.config.authFailuresPerSource, r.config.authFailuresPerClient]).toEqual([50, 3]);
    const b = parseConfig({
      SPRINTCONNECT_AUTH_FAILURES_PER_SOURCE: '0',
      SPRINTCONNECT_AUTH_FAILURES_PER_CLIENT: 'x',
    });
    expect(b.ok ? [] : b.problems).toEqual([
      expect.stringMatching(/^SPRINTCONNECT_AUTH_FAILURES_PER_SOURCE must be/),
      expect.stringMatching(/^SPRINTCONNECT_AUTH_FAILURES_PER_CLIENT must be/),
    ]);
  });

  it('takes a metrics token of at least 16 characters, and none by default (loopback only)', () => {
    const d = parseConfig({});
    expect(d.ok && d.config.metricsToken).toBeUndefined();
    const r = parseConfig({ SPRINTCONNECT_METRICS_TOKEN: 'm'.repeat(16) });
    expect(r.ok && r.config.metricsToken).toBe('m'.repeat(16));
    const b = parseConfig({ SPRINTCONNECT_METRICS_TOKEN: 'short' });
    expect(b.ok ? [] : b.problems).toEqual([expect.stringMatching(/^SPRINTCONNECT_METRICS_TOKEN must be/)]);
  });

  it('derives the public URL from HOST and PORT unless set', () => {
    const r = parseConfig({ HOST: '0.0.0.0', PORT: '9000' });
    expect(r.ok && r.config.publicUrl).toBe('http://0.0.0.0:9000');
    const s = parseConfig({ SPRINTCONNECT_PUBLIC_URL: 'https://mcp.example.com/' });
    expect(s.ok && s.config.publicUrl).toBe('https://mcp.example.com');
  });
});
