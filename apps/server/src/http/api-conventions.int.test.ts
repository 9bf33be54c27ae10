import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const PROBLEM = 'application/problem+json';
const anyUuid = '0190a6f0-0000-7000-8000-000000000000';

describe('authentication comes before everything else on /v1', () => {
  it('answers every /v1 route of the OpenAPI description with 401 problem+json for an anonymous caller, whatever the input', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const ops = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) =>
        Object.keys(methods).map((m) => ({
          method: m.toUpperCase(),
          url: path.replace(/\{[^}]+\}/g, 'not-a-uuid'),
        })),
    );
    expect(ops.filter((o) => o.url.startsWith('/v1')).length).toBeGreaterThanOrEqual(9);
    for (const op of ops.filter((o) => o.url.startsWith('/v1'))) {
      const res = await t.app.inject({
        method: op.method as 'GET',
        url: `${op.url}?limit=abc`,
        headers: { 'content-type': 'application/json' },
        payload: op.method === 'GET' || op.method === 'DELETE' ? undefined : '{"garbage":',
      });
      expect(res.statusCode, `${op.method} ${op.url}`).toBe(401);
      expect(res.headers['content-type']).toContain(PROBLEM);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
      expect(res.json().code).toBe('unauthenticated');
    }
  });

  it('rejects an unknown API key with 401 api_key_invalid', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/servers',
      headers: { authorization: `Bearer sck_aaaaaaaaaaaa_${'x'.repeat(43)}` },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'api_key_invalid', status: 401 });
    expect(res.headers['www-authenticate']).toContain('invalid_token');
  });

  it('rejects an expired API key with 401 saying it expired', async () => {
    const { token } = await t.sc.apiKeys.keys.create(
      { type: 'system', id: 'test', orgId: t.orgId },
      { name: 'old', scopes: ['read'], expiresAt: new Date(Date.now() - 1000) },
    );
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/servers',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('api_key_expired');
    expect(res.json().detail).toMatch(/expired/);
  });

  it('answers 403 naming the scope when a read key tries to write', async () => {
    const key = await t.keyWithScopes(['read']);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: { authorization: `Bearer ${key}` },
      payload: { name: 'x', url: 'https://mcp.example.com/mcp' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'forbidden' });
    expect(res.json().detail).toContain('servers:write');
  });
});

describe('every error is an RFC 9457 problem document', () => {
  it('404 for an unknown route', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.json()).toMatchObject({
      status: 404,
      code: 'route_not_found',
      title: expect.any(String),
      instance: '/nope',
    });
  });

  it('405 with an Allow header for a known path with an unsupported method', async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/v1/servers', headers: t.auth, payload: {} });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, POST');
    expect(res.json().code).toBe('method_not_allowed');
  });

  it('413 for a body over 1 MiB', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x', url: 'https://a.example', description: 'x'.repeat(1_100_000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('payload_too_large');
  });

  it('415 for a body that is not JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: { ...t.auth, 'content-type': 'text/plain' },
      payload: 'name=x',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('unsupported_media_type');
  });

  it('400 for malformed JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('malformed_json');
  });

  it('422, not 500, for a malformed id in a path', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/servers/12345', headers: t.auth });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ location: 'path', pointer: '/id', detail: 'must be a UUID' }],
    });
  });

  it('422 with one entry per invalid field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/servers',
      headers: t.auth,
      payload: { url: 'https://a.example', transport: 'carrier-pigeon', environment: 'prod', surprise: 1 },
    });
    expect(res.statusCode).toBe(422);
    const pointers = (res.json().errors as { pointer: string }[]).map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/environment', '/name', '/surprise', '/transport']);
  });

  it('400 problem+json, not Fastify JSON, for bad percent-encoding in a path (router error)', async () => {
    for (const url of [
      '/v1/servers/%E0%A4%A',
      '/v1/servers/%ff',
      '/v1/servers/x%ZZ',
      '/v1/servers?q=%E0%A4%A',
    ]) {
      const res = await t.app.inject({ method: 'GET', url, headers: t.auth });
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type'], url).toContain(PROBLEM);
      expect(res.json(), url).toMatchObject({
        code: 'malformed_url',
        status: 400,
        requestId: expect.any(String),
      });
      expect(res.headers['x-request-id'], url).toBe(res.json().requestId);
    }
  });

  it('414 problem+json, not Fastify JSON, for a path parameter over 100 characters (router error)', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/servers/${'a'.repeat(101)}`, headers: t.auth });
    expect(res.statusCode).toBe(414);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.json()).toMatchObject({ code: 'uri_too_long', status: 414, title: 'URI too long' });
  });

  it('problem+json, not Fastify JSON, for requests the HTTP parser refuses (real socket): 400 for a NUL or raw byte in the target, 431 for oversized headers', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const raw = (head: Buffer) =>
      new Promise<string>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => s.write(head));
        let got = '';
        s.on('data', (c) => {
          got += c.toString('latin1');
        });
        s.on('error', reject);
        s.on('close', () => resolve(got));
      });
    const request = (target: string, extra = '') =>
      Buffer.from(`GET ${target} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`, 'latin1');
    for (const [req, status, code] of [
      [request('/v1/servers?q=a\u0000b'), 400, 'malformed_request'],
      [request('/v1/servers?q=caf\u00e9'), 400, 'malformed_request'],
      [request('/v1/servers', `x-big: ${'a'.repeat(20_000)}\r\n`), 431, 'headers_too_large'],
    ] as const) {
      const res = await raw(req);
      const [head = '', body = ''] = res.split('\r\n\r\n');
      expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(head.toLowerCase()).toContain('content-type: application/problem+json');
      expect(JSON.parse(body)).toMatchObject({ status, code, requestId: expect.any(String) });
    }
  });

  it('422 naming the field for a body value of the wrong JSON type: bodies are never coerced', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 123, url: 'https://mcp.example.com/mcp' }, '/name'],
      [{ name: 'strict-a', url: 'https://mcp.example.com/mcp', autoDiscover: 'false' }, '/autoDiscover'],
      [{ name: 'strict-b', url: 'https://mcp.example.com/mcp', tags: 'demo' }, '/tags'],
      [{ name: null, url: 'https://mcp.example.com/mcp' }, '/name'],
    ];
    for (const [payload, pointer] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/servers', headers: t.auth, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(422);
      expect(res.json().errors, JSON.stringify(payload)).toEqual([
        expect.objectContaining({ location: 'body', pointer }),
      ]);
    }
    const list = await t.app.inject({ method: 'GET', url: '/v1/servers?q=strict', headers: t.auth });
    expect(list.json().items).toEqual([]);
  });

  it('still reads query strings as text: numbers, booleans and one-item arrays are coerced there', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/servers?limit=2', headers: t.auth });
    expect(res.statusCode).toBe(200);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/servers?limit=x', headers: t.auth })).statusCode,
    ).toBe(422);
  });

  it('404 problem for an id that does not exist', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/servers/${anyUuid}`, headers: t.auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('server_not_found');
  });
});

describe('request ids, health and the API description', () => {
  it('echoes a caller request id and puts it in problems', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/nope',
      headers: { 'x-request-id': 'trace-abc.1' },
    });
    expect(res.headers['x-request-id']).toBe('trace-abc.1');
    expect(res.json().requestId).toBe('trace-abc.1');
  });

  it('generates a request id when none is given', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports liveness and readiness without credentials', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.database).toBe('ok');
  });

  it('publishes OpenAPI 3.1 with error responses and examples per route, and a reference page', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(spec.openapi).toBe('3.1.0');
    const post = spec.paths['/v1/servers'].post;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '401', '403', '409', '422']));
    expect(JSON.stringify(post.requestBody)).toMatch(/"examples?":/);
    expect(spec.components.schemas.Problem).toBeDefined();
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
  });
});
