import { describe, expect, it } from 'vitest';
import { hasLocalBrowser, pickLoginFlow } from './login-flow.ts';

describe('which login flow (issue 10 point 8)', () => {
  it('Linux without a display (SSH, containers) has no local browser; with DISPLAY or WAYLAND_DISPLAY it has', () => {
    expect(hasLocalBrowser({}, 'linux')).toBe(false);
    expect(hasLocalBrowser({ SSH_CONNECTION: '10.0.0.1 5 10.0.0.2 22' }, 'linux')).toBe(false);
    expect(hasLocalBrowser({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(hasLocalBrowser({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(hasLocalBrowser({ DISPLAY: '  ' }, 'linux')).toBe(false);
  });

  it('macOS and Windows have one unless the shell came over SSH; BROWSER always names one', () => {
    expect(hasLocalBrowser({}, 'darwin')).toBe(true);
    expect(hasLocalBrowser({ SSH_TTY: '/dev/ttys001' }, 'darwin')).toBe(false);
    expect(hasLocalBrowser({ SSH_CONNECTION: 'x' }, 'win32')).toBe(false);
    expect(hasLocalBrowser({ BROWSER: 'w3m' }, 'linux')).toBe(true);
  });

  it('--device and --browser win over the guess; without them the device flow is picked when no browser is there', () => {
    expect(pickLoginFlow({}, {}, 'linux')).toBe('device');
    expect(pickLoginFlow({}, { DISPLAY: ':0' }, 'linux')).toBe('browser');
    expect(pickLoginFlow({ browser: true }, {}, 'linux')).toBe('browser');
    expect(pickLoginFlow({ device: true }, { DISPLAY: ':0' }, 'linux')).toBe('device');
  });
});
