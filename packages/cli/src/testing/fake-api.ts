import { Writable } from 'node:stream';
import type { CliDeps, OutStream } from '../context.ts';

export interface Recorded {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

type Reply = { status?: number; body?: unknown } | ((req: Recorded) => { status?: number; body?: unknown });

/** A fetch that answers from a `METHOD /path` table and records each request; unknown routes get a 404 problem. */
export function fakeApi(routes: Record<string, Reply | Reply[]>) {
  const requests: Recorded[] = [];
  const calls = new Map<string, number>();
  const fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const method = init.method ?? 'GET';
    const req: Recorded = {
      method,
      url,
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    requests.push(req);
    const key = `${method} ${url.pathname}`;
    const entry = routes[key];
    if (entry === undefined) {
      return problemResponse(404, { title: 'Not found', code: 'not_found', detail: `no route ${key}` });
    }
    const n = calls.get(key) ?? 0;
    calls.set(key, n + 1);
    const r = Array.isArray(entry) ? entry[Math.min(n, entry.length - 1)]! : entry;
    const { status = 200, body } = typeof r === 'function' ? r(req) : r;
    if (status === 204) return new Response(null, { status });
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

export function problemResponse(
  status: number,
  p: { title: string; code: string; detail: string; errors?: unknown[] },
) {
  const body = {
    type: `https://sprintconnect.dev/problems/${p.code}`,
    status,
    instance: '/',
    requestId: 'r1',
    ...p,
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

export function captureStream(isTTY = false): OutStream & { text(): string } {
  let out = '';
  const w = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  });
  return Object.assign(w, { isTTY, text: () => out });
}

/** CliDeps for tests: captured streams, the fake API, and a server starter that must not be called. */
export function testDeps(over: Partial<CliDeps> = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const deps: CliDeps = {
    env: { SPRINTCONNECT_API_KEY: 'sc_test_key' },
    stdout,
    stderr,
    startServer: async () => {
      throw new Error('startServer not expected');
    },
    createAdminKey: async () => {
      throw new Error('createAdminKey not expected');
    },
    onShutdownSignal: () => {},
    pollIntervalMs: 1,
    ...over,
  };
  return { deps, stdout, stderr };
}
