import { createServer } from 'node:net';

/**
 * Tests only: a minimal browser for the authorization code flow over real HTTP: follows redirects by hand,
 * keeps cookies (honouring their Path), and fills in the sign-in form. Stops at the client's redirect_uri.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export class Browser {
  readonly cookies: Cookie[] = [];
  /** Every page (HTML) the browser was shown, newest last. */
  readonly pages: { url: string; status: number; html: string }[] = [];

  private header(url: URL): string {
    return this.cookies
      .filter(
        (c) =>
          url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const path =
        attrs
          .map((a) => a.trim())
          .find((a) => a.toLowerCase().startsWith('path='))
          ?.slice(5) ?? '/';
      const expired = attrs.some(
        (a) => /^expires=Thu, 01 Jan 1970/i.test(a.trim()) || /^max-age=0$/i.test(a.trim()),
      );
      const at = this.cookies.findIndex((c) => c.name === name && c.path === path);
      if (at >= 0) this.cookies.splice(at, 1);
      if (!expired) this.cookies.push({ name, value, path });
    }
  }

  async request(url: URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie !== '') headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.keep(res);
    return res;
  }

  /**
   * Follows redirects from `start` until one leaves for `stopAt` (the redirect_uri); on the sign-in page it
   * posts `login` (org, email, password); on a consent page it presses `consent` ('confirm' or 'abort').
   */
  async authorize(
    start: URL,
    stopAt: string,
    opts: { login?: Record<string, string>; consent?: 'confirm' | 'abort' } = {},
  ): Promise<URL> {
    let next: URL = start;
    let init: RequestInit = {};
    for (let hop = 0; hop < 20; hop++) {
      const res = await this.request(next, init);
      init = {};
      const location = res.headers.get('location');
      if (location !== null) {
        const target = new URL(location, next);
        if (target.href.startsWith(stopAt)) return target;
        next = target;
        continue;
      }
      const html = await res.text();
      this.pages.push({ url: next.href, status: res.status, html });
      if (res.status >= 400) throw new Error(`${res.status} at ${next.href}: ${html.slice(0, 500)}`);
      const action = (name: string) => html.match(new RegExp(`action="([^"]*/${name})"`))?.[1];
      const login = action('login');
      const confirm = action('confirm');
      if (login !== undefined && opts.login !== undefined) {
        next = new URL(login, next);
        init = { method: 'POST', body: new URLSearchParams(opts.login) };
      } else if (confirm !== undefined && opts.consent !== undefined) {
        next = new URL((opts.consent === 'confirm' ? confirm : action('abort'))!, next);
        init = { method: 'POST', body: new URLSearchParams() };
      } else {
        throw new Error(`stuck at ${next.href}: ${html.slice(0, 500)}`);
      }
    }
    throw new Error('too many redirects');
  }

  /**
   * The device authorization grant's browser side (RFC 8628 §3.3), as a person does it: opens the verification
   * URI, types `userCode`, confirms (or cancels) on the page naming the application, signs in with `login`.
   * Returns the last page shown.
   */
  async approveDevice(
    verificationUri: URL,
    userCode: string,
    opts: { login: Record<string, string>; cancel?: boolean },
  ): Promise<{ status: number; html: string }> {
    const field = (html: string, name: string) =>
      html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1] ?? '';
    const actionOf = (html: string, id: string) =>
      html.match(new RegExp(`id="${id}"[^>]*action="([^"]*)"`))?.[1];
    const page = async (res: Response, url: URL) => {
      const html = await res.text();
      this.pages.push({ url: url.href, status: res.status, html });
      return html;
    };
    const input = await page(await this.request(verificationUri), verificationUri);
    const inputAction = actionOf(input, 'op.deviceInputForm');
    if (inputAction === undefined)
      throw new Error(`no code form at ${verificationUri.href}: ${input.slice(0, 300)}`);
    const typed = new URL(inputAction, verificationUri);
    const body = new URLSearchParams({ xsrf: field(input, 'xsrf'), user_code: userCode });
    const confirm = await page(await this.request(typed, { method: 'POST', body }), typed);
    const confirmAction = actionOf(confirm, 'op.deviceConfirmForm');
    if (confirmAction === undefined) return { status: 400, html: confirm };
    let next = new URL(confirmAction, typed);
    let init: RequestInit = {
      method: 'POST',
      body: new URLSearchParams({
        xsrf: field(confirm, 'xsrf'),
        user_code: field(confirm, 'user_code'),
        confirm: 'yes',
        ...(opts.cancel === true ? { abort: 'yes' } : {}),
      }),
    };
    for (let hop = 0; hop < 20; hop++) {
      const res = await this.request(next, init);
      init = {};
      const location = res.headers.get('location');
      if (location !== null) {
        next = new URL(location, next);
        continue;
      }
      const html = await page(res, next);
      const login = html.match(/action="([^"]*\/login)"/)?.[1];
      if (login === undefined) return { status: res.status, html };
      next = new URL(login, next);
      init = { method: 'POST', body: new URLSearchParams(opts.login) };
    }
    throw new Error('too many redirects');
  }
}
