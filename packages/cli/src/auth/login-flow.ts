import type { Env } from '../config.ts';

export type LoginFlow = 'browser' | 'device';

/**
 * Whether a browser on this machine can receive the loopback redirect of the code flow (RFC 8252). Without one
 * (an SSH session, a container, a server without a desktop) the login uses the device authorization grant
 * (RFC 8628): the code is typed in a browser anywhere (issue 10 point 8). On Linux and the BSDs a desktop
 * session sets DISPLAY or WAYLAND_DISPLAY (an SSH session with X forwarding does too, and the forwarded browser
 * then runs on this machine, where the redirect arrives); elsewhere a desktop is assumed unless the shell
 * came over SSH. BROWSER names a browser to use, terminal ones included.
 */
export function hasLocalBrowser(env: Env, platform: NodeJS.Platform): boolean {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  if (set('BROWSER')) return true;
  if (platform === 'darwin' || platform === 'win32') return !set('SSH_CONNECTION') && !set('SSH_TTY');
  return set('DISPLAY') || set('WAYLAND_DISPLAY');
}

/** `--device` and `--browser` decide; without either, the device flow when no local browser is there. */
export function pickLoginFlow(
  flags: { device?: boolean; browser?: boolean },
  env: Env,
  platform: NodeJS.Platform,
): LoginFlow {
  if (flags.device === true) return 'device';
  if (flags.browser === true) return 'browser';
  return hasLocalBrowser(env, platform) ? 'browser' : 'device';
}
