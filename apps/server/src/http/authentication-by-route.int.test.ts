import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { systemClock } from '../kernel/index.ts';
import { buildApp } from './app.ts';

/**
 * Authentication is decided by the route the router matched, not by how the request target is spelled (attack
 * of issue 8's fixes, D1): `/%761/api-keys` and the absolute form `GET http://host/v1/me HTTP/1.1` reach /v1
 * handlers, and a prefix test on the raw URL let them through anonymous (500s, and 422s with field rules).
 * Over a raw socket, because fetch and inject normalise the target before it is sent.
 */
let t: TestApp;
let port: number;
let spec: { paths: Record<string, Record<string, unknown>> };

beforeAll(async () => {
  t = await startTestApp({
    env: { SPRINTCONNECT_API_KEY_RATE_LIMIT: '100000', SPRINTCONNECT_ORG_RATE_LIMIT: '100000' },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as AddressInfo).port;
  spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
});
afterAll(() => t.stop());

interface Raw {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request written byte for byte: the target goes on the wire exactly as given. */
function raw(
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      const lines = [`${method} ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close'];
      for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
      if (body !== undefined) {
        lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
      }
      s.write(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`);
    });
    let data = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => {
      data += c;
    });
    s.on('error', reject);
    s.on('end', () => {
      const [head = '', ...rest] = data.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const h: Record<string, string> = {};
      for (const l of headerLines) {
        const i = l.indexOf(':');
        h[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers: h, body: rest.join('\r\n\r\n') });
    });
  });
}

const concrete = (path: string) =>
  path
    .replace('{n}', '1')
    .replace('{name}', 'servers')
    .replace(/\{[^}]+\}/g, '0190a6f0-0000-7000-8000-000000000000');

/** Other spellings of one /v1 path that the router maps to the same route. */
const spellings = (path: string): [string, string][] => [
  ['percent-encoded prefix', path.replace(/^\/v1/, '/%761')],
  [
    'percent-encoded letter after /v1/',
    path.replace(/^\/v1\/(.)/, (_m, c: string) => `/v1/%${c.charCodeAt(0).toString(16)}`),
  ],
  ['absolute form', `http://127.0.0.1:${port}${path}`],
  ['absolute form naming another host', `http://elsewhere.example${path}`],
];

describe('every /v1 route, spelled otherwise, anonymous', () => {
  it('is a 401 problem+json with a challenge on every spelling, never a 422 or a 500', async () => {
    const odd: string[] = [];
    let checked = 0;
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (!path.startsWith('/v1')) continue;
      for (const method of Object.keys(ops)) {
        const body = ['post', 'put', 'patch'].includes(method) ? '{}' : undefined;
        for (const [how, target] of spellings(concrete(path))) {
          const r = await raw(method.toUpperCase(), target, {}, body);
          checked++;
          const ok =
            r.status === 401 &&
            r.headers['content-type']?.startsWith('application/problem+json') === true &&
            JSON.parse(r.body).code === 'unauthenticated' &&
            r.headers['www-authenticate']?.startsWith('Bearer realm="sprintconnect"') === true;
          if (!ok)
            odd.push(`${method.toUpperCase()} ${target} (${how}): ${r.status} ${r.body.slice(0, 120)}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(odd).toEqual([]);
  });

  it('a route that does not exist answers the same 401 whatever its spelling (nothing learned about routes)', async () => {
    for (const target of [
      '/v1/no-such-route',
      '/%761/no-such-route',
      `http://127.0.0.1:${port}/v1/no-such-route`,
    ]) {
      const r = await raw('GET', target);
      expect(r.status, `${target} ${r.body}`).toBe(401);
      expect(JSON.parse(r.body).code).toBe('unauthenticated');
    }
  });
});

describe('the same spellings with a valid key', () => {
  it('are authenticated as the key: the router and authentication agree on the route', async () => {
    for (const target of ['/%761/me', '/v1/%6De', `http://127.0.0.1:${port}/v1/me`]) {
      const r = await raw('GET', target, { Authorization: `Bearer ${t.adminKey}` });
      expect(r.status, `${target} ${r.body}`).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ kind: 'api_key', org: { id: t.orgId } });
    }
  });

  it('an Idempotency-Key on a POST spelled otherwise is honoured: the retry is a replay', async () => {
    const headers = { Authorization: `Bearer ${t.adminKey}`, 'Idempotency-Key': 'spelled-otherwise-1' };
    const body = JSON.stringify({ name: 'spelled otherwise', scopes: ['read'] });
    const first = await raw('POST', '/%761/api-keys', headers, body);
    expect(first.status, first.body).toBe(201);
    const again = await raw('POST', '/%761/api-keys', headers, body);
    expect(again.status, again.body).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(JSON.parse(again.body).id).toBe(JSON.parse(first.body).id);
  });
});

describe('a handler that reads the principal of a request that has none', () => {
  it('answers 401 unauthenticated with a challenge, never a TypeError and a 500', async () => {
    const app = await buildApp({
      publicUrl: 'http://127.0.0.1:0',
      logLevel: 'silent',
      clock: systemClock,
      modules: [
        {
          // Outside /v1, so no authentication runs: the handler reads a principal nobody set.
          publicRoutes: [
            async (a) => {
              a.get('/reads-principal', async (req) => ({ org: req.principal.orgId }));
            },
          ],
          hooks: { authorizer: async () => Promise.reject(new Error('no authorizer in this test')) },
        },
      ],
      ready: async () => ({ ok: true, checks: {} }),
      version: 'test',
    });
    try {
      const r = await app.inject({ method: 'GET', url: '/reads-principal' });
      expect(r.statusCode, r.body).toBe(401);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json().code).toBe('unauthenticated');
      expect(String(r.headers['www-authenticate'])).toMatch(/^Bearer realm="sprintconnect"/);
    } finally {
      await app.close();
    }
  });
});
