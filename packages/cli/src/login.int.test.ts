import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OAuthTestApp, startOAuthApp } from '../../../apps/server/test/oauth-app.ts';
import { Browser } from '../../../apps/server/test/oauth-browser.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const MAIN = join(ROOT, 'packages', 'cli', 'src', 'main.ts');

interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first stderr line matching `re`. */
  line(re: RegExp): Promise<string>;
  exit: Promise<number | null>;
}

/** The real `sprintconnect` executable as a child process (asynchronous: the server lives in this process). */
function start(args: string[], env: Record<string, string>): Running {
  const child = spawn(NODE, [MAIN, ...args], { cwd: ROOT, env, stdio: 'pipe' });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve(l: string): void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const hit = err.split('\n').find((l) => w.re.test(l));
      if (hit !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    check();
  });
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    line: (re) =>
      new Promise((resolve, reject) => {
        waiters.push({ re, resolve });
        check();
        void exit.then(() => reject(new Error(`exited before printing ${re}: ${err}`)));
      }),
    exit,
  };
}

async function cli(args: string[], env: Record<string, string>) {
  const r = start(args, env);
  const code = await r.exit;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

describe('sprintconnect login: authorization code + PKCE on a loopback redirect', () => {
  let s: OAuthTestApp;
  let dir: string;
  let env: Record<string, string>;
  const credentials = () => join(dir, 'credentials.json');

  beforeAll(async () => {
    s = await startOAuthApp();
    dir = await mkdtemp(join(tmpdir(), 'sc-cli-login-'));
    env = { SPRINTCONNECT_URL: s.publicUrl, SPRINTCONNECT_CONFIG_DIR: join(dir) };
  });

  afterAll(async () => {
    await s?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('without a login or API key, commands are refused with a hint to log in (exit 2)', async () => {
    const r = await cli(['servers', 'list'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run `sprintconnect login`');
  });

  it('signs the user in through the printed URL and stores the tokens in credentials.json, mode 0600', async () => {
    const login = start(['login', '--browser'], env);
    const printed = (await login.line(/\/oidc\/auth\?/)).trim();
    const url = new URL(printed);
    expect(url.origin).toBe(s.publicUrl);
    expect(url.searchParams.get('client_id')).toBe('sprintconnect-cli');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('resource')).toBe(s.api);
    const redirectUri = url.searchParams.get('redirect_uri')!;
    expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);

    const back = await new Browser().authorize(url, redirectUri, { login: s.login });
    const page = await fetch(back);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Signed in to SprintConnect');

    expect(await login.exit).toBe(0);
    expect(login.stderr()).toContain(`as ${s.user.email}`);
    expect((await stat(credentials())).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(credentials(), 'utf8'));
    expect(stored).toMatchObject({ server: s.publicUrl, resource: s.api, clientId: 'sprintconnect-cli' });
    expect(stored.refreshToken).toEqual(expect.any(String));
    expect(Date.parse(stored.expiresAt)).toBeGreaterThan(Date.now());
  });

  it('whoami --json returns the signed-in user with the stored access token', async () => {
    const r = await cli(['whoami', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      kind: 'user',
      email: s.user.email,
      authMethod: 'bearer_jwt',
    });
  });

  it('servers list --json works with the stored token', async () => {
    const r = await cli(['servers', 'list', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ items: expect.any(Array) });
  });

  it('defaults the server to the one logged in to when SPRINTCONNECT_URL is unset', async () => {
    const r = await cli(['whoami', '--json'], { SPRINTCONNECT_CONFIG_DIR: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).email).toBe(s.user.email);
  });

  it('refreshes an expired access token with the refresh token and stores the rotated tokens', async () => {
    const before = JSON.parse(await readFile(credentials(), 'utf8'));
    await writeFile(credentials(), JSON.stringify({ ...before, expiresAt: new Date(0).toISOString() }), {
      mode: 0o600,
    });
    const r = await cli(['whoami', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).email).toBe(s.user.email);
    const after = JSON.parse(await readFile(credentials(), 'utf8'));
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(Date.parse(after.expiresAt)).toBeGreaterThan(Date.now());
    expect((await stat(credentials())).mode & 0o777).toBe(0o600);
  });

  it('logout revokes the refresh token at the server and deletes the credentials file', async () => {
    const stored = JSON.parse(await readFile(credentials(), 'utf8'));
    const r = await cli(['logout'], env);
    expect(r.stderr).toContain(`Logged out of ${s.publicUrl}`);
    expect(r.code).toBe(0);
    await expect(stat(credentials())).rejects.toMatchObject({ code: 'ENOENT' });
    const config = await s.configFor('sprintconnect-cli');
    await expect(oidc.refreshTokenGrant(config, stored.refreshToken)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect((await cli(['whoami'], env)).code).toBe(2);
  });

  it('fails (exit 1) and stores nothing when the callback carries another state', async () => {
    const login = start(['login', '--browser'], env);
    const url = new URL((await login.line(/\/oidc\/auth\?/)).trim());
    const forged = new URL(url.searchParams.get('redirect_uri')!);
    forged.searchParams.set('code', 'attacker-code');
    forged.searchParams.set('state', 'not-the-state');
    expect((await fetch(forged)).status).toBe(400);
    expect(await login.exit).toBe(1);
    expect(login.stderr()).toContain('state');
    await expect(stat(credentials())).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('sprintconnect login without a local browser: the device authorization grant (RFC 8628)', () => {
  let s: OAuthTestApp;
  let dir: string;
  let env: Record<string, string>;
  const credentials = () => join(dir, 'credentials.json');

  beforeAll(async () => {
    s = await startOAuthApp();
    dir = await mkdtemp(join(tmpdir(), 'sc-cli-device-'));
    // No DISPLAY or WAYLAND_DISPLAY: a server reached over SSH, a container.
    env = { SPRINTCONNECT_URL: s.publicUrl, SPRINTCONNECT_CONFIG_DIR: dir };
  });

  afterAll(async () => {
    await s?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The URL and code the CLI printed. */
  async function printed(login: Running) {
    const code = /enter the code\s+(\S+)/.exec(await login.line(/enter the code/))![1]!;
    const uri = new URL((await login.line(/^\s+http\S+\/oidc\/device$/)).trim());
    return { code, uri };
  }

  it('is picked when no display is there: the code approved in a browser elsewhere signs the CLI in', async () => {
    const login = start(['login'], env);
    const { code, uri } = await printed(login);
    expect(uri.href).toBe(`${s.publicUrl}/oidc/device`);
    expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(login.stderr()).not.toContain('/oidc/auth?');

    const b = new Browser();
    const done = await b.approveDevice(uri, code, { login: s.login });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Device connected');
    // The confirmation page named the application and showed the code (RFC 8628 §5.4).
    const confirmation = b.pages.find((p) => p.html.includes('op.deviceConfirmForm'))!;
    expect(confirmation.html).toContain('SprintConnect CLI');
    expect(confirmation.html).toContain(code);

    expect(await login.exit).toBe(0);
    expect(login.stderr()).toContain(`as ${s.user.email}`);
    const stored = JSON.parse(await readFile(credentials(), 'utf8'));
    expect(stored).toMatchObject({ server: s.publicUrl, resource: s.api, clientId: 'sprintconnect-cli' });
    expect(stored.refreshToken).toEqual(expect.any(String));
    const who = await cli(['whoami', '--json'], env);
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({
      kind: 'user',
      email: s.user.email,
      authMethod: 'bearer_jwt',
    });
  }, 60_000);

  it('--device: cancelling on the confirmation page ends the login with exit 1 and stores nothing', async () => {
    await rm(credentials(), { force: true });
    const login = start(['login', '--device'], { ...env, DISPLAY: ':0' });
    const { code, uri } = await printed(login);
    await new Browser().approveDevice(uri, code, { login: s.login, cancel: true });
    expect(await login.exit).toBe(1);
    expect(login.stderr()).toContain('refused');
    await expect(stat(credentials())).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);

  it('a mistyped code is refused on the page, and the code cannot be approved twice', async () => {
    const config = await s.configFor('sprintconnect-cli');
    const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid read', resource: s.api });
    const b = new Browser();
    const wrong = await b.approveDevice(new URL(started.verification_uri), 'BBBB-BBBB', { login: s.login });
    expect(wrong.html).toContain('That code is not right');
    expect(
      (await b.approveDevice(new URL(started.verification_uri), started.user_code, { login: s.login })).html,
    ).toContain('Device connected');
    const again = await new Browser().approveDevice(new URL(started.verification_uri), started.user_code, {
      login: s.login,
    });
    expect(again.html).toContain('already used');
  }, 60_000);
});
