import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, systemClock } from '../kernel/index.ts';
import { type App, buildApp } from './app.ts';

/**
 * A route with an error page (the sign-in pages, ADR 0034): a browser gets the route's HTML and an API client
 * the problem document, both with the status and the headers the adapter derives from the error's data.
 */
let app: App;

beforeAll(async () => {
  app = await buildApp({
    publicUrl: 'http://127.0.0.1:8080',
    logLevel: 'silent',
    clock: systemClock,
    modules: [
      {
        publicRoutes: [
          async (a) => {
            a.get(
              '/auth/throttled',
              {
                config: { errorPage: (p) => `<h1>${p.title}</h1><p>${p.detail}</p><a>${p.links?.login}</a>` },
              },
              async () => {
                throw new AppError('rate_limited', 'Wait a little.', {
                  retryAfterSeconds: 7,
                  links: { login: '/auth/login' },
                });
              },
            );
          },
        ],
        hooks: { authorizer: async () => Promise.reject(new Error('no authorizer in this test')) },
      },
    ],
    ready: async () => ({ ok: true, checks: {} }),
    version: 'test',
  });
});
afterAll(() => app.close());

describe('a route error page', () => {
  it('answers a browser with the page, the problem status and its headers', async () => {
    const res = await app.inject({ url: '/auth/throttled', headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toBe('<h1>Too many requests</h1><p>Wait a little.</p><a>/auth/login</a>');
  });

  it('answers an API client with the problem document, same status and headers', async () => {
    const res = await app.inject({ url: '/auth/throttled', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.json()).toMatchObject({ code: 'rate_limited', detail: 'Wait a little.' });
  });
});
