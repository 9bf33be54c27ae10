import type { Job } from '@sprintconnect/contracts';
import { describe, expect, it } from 'vitest';
import { createClient } from './client.ts';
import { JobWaitTimeoutError, SprintConnectConnectionError, SprintConnectError } from './errors.ts';

interface Call {
  method: string;
  url: URL;
  headers: Headers;
  body: string | undefined;
}

function fakeFetch(reply: (call: Call, n: number) => Response) {
  const calls: Call[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const call = {
      method: init.method ?? 'GET',
      url: new URL(String(input)),
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : undefined,
    };
    calls.push(call);
    return reply(call, calls.length);
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

const json = (body: unknown, status = 200, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

const ID = '0190a3c2-6a1e-7b4c-9d2f-3e4a5b6c7d8e';

function job(over: Partial<Job>): Job {
  return {
    id: ID,
    kind: 'discovery',
    state: 'queued',
    subject: { type: 'server', id: ID },
    stage: null,
    progress: { done: 0, total: 6, percent: 0 },
    attempts: 0,
    maxAttempts: 3,
    error: null,
    result: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    estimatedCompletionAt: null,
    nextAttemptAt: null,
    links: { self: `/v1/jobs/${ID}` },
    ...over,
  };
}

describe('requests', () => {
  it('authenticate with the API key as a bearer token and join the base URL without doubling slashes', async () => {
    const f = fakeFetch(() => json({ items: [], nextCursor: null }));
    const c = createClient({ baseUrl: 'https://sc.example.com/prefix/', apiKey: 'k1', fetch: f.fetch });
    await c.servers.list({ environment: 'staging', tags: ['a', 'b'], limit: 10 });
    expect(f.calls[0]!.url.href).toBe(
      'https://sc.example.com/prefix/v1/servers?environment=staging&tags=a%2Cb&limit=10',
    );
    expect(f.calls[0]!.headers.get('authorization')).toBe('Bearer k1');
    expect(f.calls[0]!.headers.get('content-type')).toBeNull();
  });

  it('send JSON bodies with a content type, and path ids encoded', async () => {
    const f = fakeFetch(() => json(job({})));
    const c = createClient({ baseUrl: 'http://x', apiKey: 'k', fetch: f.fetch });
    await c.servers.discover('a/b', { force: true });
    expect(f.calls[0]!.method).toBe('POST');
    expect(f.calls[0]!.url.pathname).toBe('/v1/servers/a%2Fb/discover');
    expect(f.calls[0]!.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(f.calls[0]!.body!)).toEqual({ force: true });
  });

  it('resolve delete (204, no body) to undefined', async () => {
    const f = fakeFetch(() => new Response(null, { status: 204 }));
    const c = createClient({ baseUrl: 'http://x', apiKey: 'k', fetch: f.fetch });
    await expect(c.servers.delete(ID)).resolves.toBeUndefined();
    expect(f.calls[0]!.method).toBe('DELETE');
  });

  it('put diff versions and search terms in the query', async () => {
    const f = fakeFetch(() => json({}));
    const c = createClient({ baseUrl: 'http://x', apiKey: 'k', fetch: f.fetch });
    await c.capabilities.diff(ID, 1, 3);
    await c.search({ capability: ['weather', 'forecast'], fuzzy: true });
    expect(f.calls[0]!.url.search).toBe('?from=1&to=3');
    expect(f.calls[1]!.url.pathname).toBe('/v1/discovery/servers');
    expect(Object.fromEntries(f.calls[1]!.url.searchParams)).toEqual({
      capability: 'weather,forecast',
      fuzzy: 'true',
    });
  });
});

describe('errors', () => {
  it('turn a problem+json reply into a SprintConnectError with every field', async () => {
    const problem = {
      type: 'https://sprintconnect.dev/problems/validation_failed',
      title: 'Validation failed',
      status: 422,
      detail: 'The request has 1 invalid field(s).',
      instance: '/v1/servers',
      code: 'validation_failed',
      requestId: 'req-1',
      errors: [{ location: 'body', pointer: '/name', detail: 'must not be empty' }],
    };
    const f = fakeFetch(() => json(problem, 422, 'application/problem+json'));
    const c = createClient({ baseUrl: 'http://x', apiKey: 'k', fetch: f.fetch });
    const e = await c.servers.register({ name: '', url: 'https://m' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SprintConnectError);
    const err = e as SprintConnectError;
    expect([err.status, err.code, err.title, err.detail]).toEqual([
      422,
      'validation_failed',
      'Validation failed',
      problem.detail,
    ]);
    expect(err.errors).toEqual(problem.errors);
    expect(err.problem).toEqual(problem);
  });

  it('describe a reply that is not a problem (a proxy page) as unexpected_response', async () => {
    const f = fakeFetch(
      () => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    const c = createClient({ baseUrl: 'http://x', apiKey: 'k', fetch: f.fetch });
    const e = (await c.servers.get(ID).catch((x: unknown) => x)) as SprintConnectError;
    expect(e).toBeInstanceOf(SprintConnectError);
    expect([e.status, e.code, e.title, e.detail]).toEqual([
      502,
      'unexpected_response',
      'Bad Gateway',
      '<html>Bad Gateway</html>',
    ]);
  });

  it('report a failed connection as SprintConnectConnectionError naming the base URL and the socket error', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const fetch = (async () => {
      throw new TypeError('fetch failed', { cause: refused });
    }) as unknown as typeof globalThis.fetch;
    const c = createClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k', fetch });
    const e = await c.jobs.get(ID).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SprintConnectConnectionError);
    expect((e as Error).message).toBe(
      'cannot reach SprintConnect at http://127.0.0.1:1: ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:1)',
    );
  });
});

describe('servers.all', () => {
  it('follows nextCursor until it is null, keeping the filter on every page', async () => {
    const pages: Record<string, unknown> = {
      '': { items: [{ id: 'a' }, { id: 'b' }], nextCursor: 'p2' },
      p2: { items: [{ id: 'c' }], nextCursor: 'p3' },
      p3: { items: [], nextCursor: null },
    };
    const f = fakeFetch((call) => json(pages[call.url.searchParams.get('cursor') ?? '']));
    const c = createClient({ baseUrl: 'http://x', apiKey: 'k', fetch: f.fetch });
    const ids: string[] = [];
    for await (const s of c.servers.all({ status: 'active', limit: 2 })) ids.push(s.id);
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(f.calls.map((x) => x.url.search)).toEqual([
      '?status=active&limit=2',
      '?status=active&limit=2&cursor=p2',
      '?status=active&limit=2&cursor=p3',
    ]);
  });
});

describe('jobs.wait', () => {
  it('polls until a final state, reporting every poll, and returns a failed job rather than throwing', async () => {
    const states: Job[] = [
      job({ state: 'queued' }),
      job({ state: 'running', stage: 'connect' }),
      job({ state: 'retrying', attempts: 1 }),
      job({ state: 'failed', error: { code: 'timeout', message: 'm', guidance: 'g', retryable: true } }),
    ];
    const f = fakeFetch((_c, n) => json(states[n - 1]));
    const c = createClient({ baseUrl: 'http://x', apiKey: 'k', fetch: f.fetch });
    const seen: string[] = [];
    const done = await c.jobs.wait(ID, { intervalMs: 1, onProgress: (j) => seen.push(j.state) });
    expect(done.state).toBe('failed');
    expect(seen).toEqual(['queued', 'running', 'retrying', 'failed']);
    expect(f.calls).toHaveLength(4);
  });

  it('gives up with JobWaitTimeoutError after timeoutMs', async () => {
    const f = fakeFetch(() => json(job({ state: 'running' })));
    const c = createClient({ baseUrl: 'http://x', apiKey: 'k', fetch: f.fetch });
    const e = await c.jobs.wait(ID, { intervalMs: 5, timeoutMs: 20 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(JobWaitTimeoutError);
    expect((e as JobWaitTimeoutError).jobId).toBe(ID);
  });

  it('stops when its signal aborts', async () => {
    const f = fakeFetch(() => json(job({ state: 'running' })));
    const c = createClient({ baseUrl: 'http://x', apiKey: 'k', fetch: f.fetch });
    const ac = new AbortController();
    const waiting = c.jobs.wait(ID, { intervalMs: 1_000, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('user gave up')), 10);
    await expect(waiting).rejects.toThrow('user gave up');
  });
});

describe('access-token credentials', () => {
  it('asks accessToken() for the bearer before every request, so a caller can refresh it', async () => {
    const f = fakeFetch(() => json({ items: [], nextCursor: null }));
    let n = 0;
    const c = createClient({ baseUrl: 'http://x', accessToken: async () => `t${++n}`, fetch: f.fetch });
    await c.servers.list();
    await c.servers.list();
    expect(f.calls.map((call) => call.headers.get('authorization'))).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('me() is GET /v1/me', async () => {
    const f = fakeFetch(() => json({ kind: 'user', id: ID }));
    const c = createClient({ baseUrl: 'http://x', apiKey: 'k', fetch: f.fetch });
    expect(await c.me()).toMatchObject({ kind: 'user' });
    expect(`${f.calls[0]!.method} ${f.calls[0]!.url.pathname}`).toBe('GET /v1/me');
  });
});
