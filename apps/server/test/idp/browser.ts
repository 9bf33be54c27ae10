/**
 * A browser as far as sign-in needs one: fetch with a cookie jar per origin and redirects followed by hand, so a
 * test sees every hop (and every Set-Cookie) of a flow between SprintConnect and the identity provider.
 */
export interface Hop {
  readonly url: string;
  readonly status: number;
  readonly location: string | undefined;
  readonly setCookies: string[];
}

export class TestBrowser {
  private readonly jars = new Map<string, Map<string, string>>();
  readonly hops: Hop[] = [];

  /** The cookie value this browser holds for an origin, if any. */
  cookie(origin: string, name: string): string | undefined {
    return this.jars.get(origin)?.get(name);
  }

  setCookie(origin: string, name: string, value: string): void {
    this.jarOf(origin).set(name, value);
  }

  private jarOf(origin: string): Map<string, string> {
    let jar = this.jars.get(origin);
    if (jar === undefined) {
      jar = new Map();
      this.jars.set(origin, jar);
    }
    return jar;
  }

  /** One request, no redirect following; stores the cookies it sets. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const origin = new URL(url).origin;
    const jar = this.jarOf(origin);
    const headers = new Headers(init.headers);
    if (!headers.has('accept')) headers.set('accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    const setCookies = res.headers.getSetCookie();
    for (const c of setCookies) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (/max-age=0\b/i.test(c) || /expires=thu, 01 jan 1970/i.test(c) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location') ?? undefined;
    this.hops.push({ url, status: res.status, location, setCookies });
    return res;
  }

  /** Follows redirects until `stop` says so (or a non-redirect answer); returns the last response. */
  async navigate(url: string, stop: (url: string) => boolean = () => false, max = 15): Promise<Response> {
    let current = url;
    for (let i = 0; i < max; i++) {
      const res = await this.request(current);
      const loc = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || loc === null) return res;
      await res.body?.cancel();
      const next = new URL(loc, current).href;
      if (stop(next)) return res;
      current = next;
    }
    throw new Error(`more than ${max} redirects from ${url}`);
  }
}
