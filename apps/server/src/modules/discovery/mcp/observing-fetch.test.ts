import { describe, expect, it } from 'vitest';
import { createObservingFetch, isUnusableResponse } from './observing-fetch.ts';

const respond =
  (status: number, contentType: string | null): typeof fetch =>
  async () =>
    new Response(status === 204 ? null : 'x', {
      status,
      headers: contentType === null ? {} : { 'content-type': contentType },
    });

describe('isUnusableResponse', () => {
  it.each([
    ['POST', 200, 'application/json', false],
    ['POST', 200, 'text/event-stream', false],
    ['POST', 200, 'application/json; charset=utf-8', false],
    ['POST', 202, null, false],
    ['POST', 200, 'text/html; charset=utf-8', true],
    ['GET', 200, 'text/html', true],
    ['POST', 401, 'application/json', true],
    ['POST', 404, 'text/html', true],
    ['POST', 405, null, true],
    ['GET', 405, null, false],
    ['DELETE', 405, null, false],
    ['POST', 500, null, true],
  ] as const)('%s answered %i %s is unusable: %s', (method, status, type, expected) => {
    expect(isUnusableResponse(method, status, type)).toBe(expected);
  });
});

describe('createObservingFetch', () => {
  it('records the last unusable response with its method, status and content type', async () => {
    const wire = createObservingFetch(respond(401, 'application/json'), new AbortController().signal);
    await wire.fetch('http://x/mcp', { method: 'POST' });
    expect(wire.observation.badResponse).toEqual({
      method: 'POST',
      status: 401,
      contentType: 'application/json',
    });
  });

  it('does not record usable responses', async () => {
    const wire = createObservingFetch(respond(200, 'application/json'), new AbortController().signal);
    await wire.fetch('http://x/mcp', { method: 'POST' });
    expect(wire.observation.badResponse).toBeUndefined();
  });

  it('records what fetch threw, and rethrows it', async () => {
    const boom = new TypeError('fetch failed');
    const wire = createObservingFetch(() => Promise.reject(boom), new AbortController().signal);
    await expect(wire.fetch('http://x/mcp')).rejects.toBe(boom);
    expect(wire.observation.fetchError).toBe(boom);
  });

  it("passes the run's signal, combined with the caller's, to every request", async () => {
    let seen: AbortSignal | undefined;
    const base: typeof fetch = async (_input, init) => {
      seen = init?.signal ?? undefined;
      return new Response('{}', { headers: { 'content-type': 'application/json' } });
    };
    const run = new AbortController();
    const own = new AbortController();
    const wire = createObservingFetch(base, run.signal);
    await wire.fetch('http://x/mcp', { signal: own.signal });
    expect(seen?.aborted).toBe(false);
    run.abort(new Error('deadline'));
    expect(seen?.aborted).toBe(true);
  });

  it('keeps the last response if it was a redirect (target without its query), and forgets it once another answer comes', async () => {
    const answers = [
      new Response(null, { status: 307, headers: { location: 'http://10.0.0.5:6379/mcp?token=t1' } }),
      new Response('{}', { headers: { 'content-type': 'application/json' } }),
    ];
    const wire = createObservingFetch(async () => answers.shift()!, new AbortController().signal);
    await wire.fetch('https://x.example/mcp', { method: 'POST' });
    expect(wire.observation.unfollowedRedirect).toEqual({
      status: 307,
      from: 'https://x.example',
      location: 'http://10.0.0.5:6379/mcp',
    });
    await wire.fetch('https://x.example/mcp', { method: 'POST' });
    expect(wire.observation.unfollowedRedirect).toBeUndefined();
  });

  it('does not record errors caused by aborting the run', async () => {
    const run = new AbortController();
    run.abort(new Error('deadline'));
    const wire = createObservingFetch(() => Promise.reject(new Error('aborted')), run.signal);
    await expect(wire.fetch('http://x/mcp')).rejects.toThrow('aborted');
    expect(wire.observation.fetchError).toBeUndefined();
  });
});
