/**
 * Issue 11 point 2 (serving): a virtual server is an MCP endpoint at `/mcp/{slug}`, over a real socket to real
 * SDK v2 clients: exactly its exposed tools under each naming rule, with its overrides' names, titles and
 * descriptions, each call routed to the member server under the upstream name; a tool outside it is not
 * callable through it; policy decides on the underlying capability; an unknown, disabled or other org's slug
 * gets the same 404; the endpoint has its own RFC 9728 metadata, and a token for the gateway is accepted there.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { eventually } from '../../../test/harness.ts';
import { type RunningCatalogServer, startCatalogServer } from '../../../test/mcp-servers/catalog-server.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';

let s: OAuthTestApp;
let alpha: RunningCatalogServer;
let beta: RunningCatalogServer;
let other: { orgId: string; auth: { authorization: string } };

const tool = (name: string, description: string) => ({
  name,
  description,
  inputSchema: { type: 'object' as const, properties: { q: { type: 'string' } } },
});

const register = (auth: { authorization: string }, name: string, url: string) =>
  registerDiscovered(s.t, auth, { name, url });

async function publish(spec: Record<string, unknown>, auth = s.t.auth) {
  const res = await s.t.app.inject({
    method: 'POST',
    url: '/v1/virtual-servers',
    headers: auth,
    payload: spec,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; slug: string };
}

beforeAll(async () => {
  s = await startOAuthApp({
    env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' },
    gateway: { catalogueTtlMs: 0 },
  });
  [alpha, beta] = await Promise.all([
    startCatalogServer(() => ({
      serverInfo: { name: 'alpha', version: '1.0.0' },
      tools: [tool('search', 'Search alpha'), tool('fetch', 'Fetch from alpha')],
    })),
    startCatalogServer(() => ({
      serverInfo: { name: 'beta', version: '1.0.0' },
      tools: [tool('search', 'Search beta'), tool('delete', 'Delete in beta')],
    })),
  ]);
  other = await s.t.newOrg('endpoints-other');
  const [a, b, theirs] = await Promise.all([
    register(s.t.auth, 'alpha', alpha.url),
    register(s.t.auth, 'beta', beta.url),
    register(other.auth, 'theirs', beta.url),
  ]);
  const both = [{ serverId: a }, { serverId: b }];
  const override = {
    serverId: a,
    tool: 'fetch',
    name: 'get_page',
    title: 'Get a page',
    description: 'Reads one',
  };
  await publish({ slug: 'pfx', name: 'Prefixed', naming: 'prefix', members: both, overrides: [override] });
  await publish({ slug: 'conf', name: 'On conflict', naming: 'on-conflict', members: both });
  await publish({
    slug: 'plain',
    name: 'Plain',
    naming: 'none',
    members: [
      { serverId: a, tools: ['search'] },
      { serverId: b, tools: ['delete'] },
    ],
  });
  await publish({ slug: 'off', name: 'Off', naming: 'prefix', members: both, enabled: false });
  await publish(
    { slug: 'theirs-only', name: 'Theirs', naming: 'none', members: [{ serverId: theirs }] },
    other.auth,
  );
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await Promise.all([alpha?.close(), beta?.close()]);
});

async function connect(slug: string, headers: Record<string, string> = s.t.auth) {
  const client = new Client(
    { name: 'endpoints-test', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${s.mcp}/${slug}`), { requestInit: { headers } }),
  );
  return client;
}
const text = (r: unknown) => ((r as { content: { text: string }[] }).content[0] ?? { text: '' }).text;
const calls = (server: RunningCatalogServer) => server.requestCounts.get('tools/call') ?? 0;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Record<string, unknown>,
  );

/** Calls `name` through the endpoint and says which upstream served it (and under which upstream name). */
async function routed(client: Client, name: string) {
  const before = { alpha: calls(alpha), beta: calls(beta) };
  const answer = text(await client.callTool({ name, arguments: { q: 'x' } }));
  const server = calls(alpha) > before.alpha ? 'alpha' : calls(beta) > before.beta ? 'beta' : 'none';
  return `${server}:${answer}`;
}

const post = (path: string, headers: Record<string, string>) =>
  fetch(`${s.publicUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });

describe('a virtual server at /mcp/{slug}', () => {
  it('naming rule prefix: lists server__tool names and the override’s name, title and description, and routes each call to its member', async () => {
    const client = await connect('pfx');
    try {
      const tools = (await client.listTools()).tools;
      expect(tools.map((t) => t.name)).toEqual(['alpha__search', 'get_page', 'beta__search', 'beta__delete']);
      expect(tools[1]).toMatchObject({ title: 'Get a page', description: 'Reads one' });
      expect(tools[0]).toMatchObject({ description: 'Search alpha', inputSchema: { type: 'object' } });
      expect(await routed(client, 'alpha__search')).toBe('alpha:called search');
      expect(await routed(client, 'get_page')).toBe('alpha:called fetch');
      expect(await routed(client, 'beta__search')).toBe('beta:called search');
      expect(await routed(client, 'beta__delete')).toBe('beta:called delete');
    } finally {
      await client.close();
    }
  });

  it('naming rule on-conflict: the first member keeps a shared name, the later one is prefixed, both reach their own server', async () => {
    const client = await connect('conf');
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual([
        'search',
        'fetch',
        'beta__search',
        'delete',
      ]);
      expect(await routed(client, 'search')).toBe('alpha:called search');
      expect(await routed(client, 'beta__search')).toBe('beta:called search');
      expect(await routed(client, 'delete')).toBe('beta:called delete');
    } finally {
      await client.close();
    }
  });

  it('naming rule none: only the chosen tools, unprefixed; a tool outside the virtual server is not callable through it', async () => {
    const client = await connect('plain');
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['search', 'delete']);
      expect(await routed(client, 'delete')).toBe('beta:called delete');
      const before = calls(alpha);
      for (const name of ['fetch', 'alpha__fetch', 'get_page']) {
        expect(await failure(client.callTool({ name, arguments: {} }))).toMatchObject({ code: -32602 });
      }
      expect(calls(alpha)).toBe(before);
      expect((await client.listResources()).resources).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('decides each call on the underlying capability: a policy forbidding alpha’s fetch hides and refuses its override get_page', async () => {
    const res = await s.t.app.inject({
      method: 'POST',
      url: '/v1/policies',
      headers: s.t.auth,
      payload: {
        name: 'no-alpha-fetch',
        policy: `forbid (principal, action == SprintConnect::Action::"tools:call", resource is SprintConnect::Capability) when { resource.name == "fetch" && resource.server.name == "alpha" };`,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const client = await connect('pfx');
    try {
      const names = await eventually(async () => {
        const n = (await client.listTools()).tools.map((t) => t.name);
        return n.includes('get_page') ? undefined : n;
      });
      expect(names).toEqual(['alpha__search', 'beta__search', 'beta__delete']);
      const before = calls(alpha);
      expect(await failure(client.callTool({ name: 'get_page', arguments: {} }))).toMatchObject({
        code: -32003,
      });
      expect(calls(alpha)).toBe(before);
    } finally {
      await client.close();
      await s.t.app.inject({ method: 'DELETE', url: `/v1/policies/${res.json().id}`, headers: s.t.auth });
    }
  });

  it('answers the same 404 problem for a slug nobody has, a disabled one and another org’s, revealing nothing', async () => {
    const bodies = [];
    for (const slug of ['nobody-has-this', 'off', 'theirs-only']) {
      const res = await post(`/mcp/${slug}`, s.t.auth);
      expect(res.status, slug).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = (await res.json()) as Record<string, unknown>;
      expect(body.code).toBe('mcp_endpoint_not_found');
      bodies.push({ ...body, instance: undefined, traceId: undefined, requestId: undefined });
    }
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    // The other org reaches its own endpoint; the slug exists, just not for us.
    expect((await post('/mcp/theirs-only', other.auth)).status).toBe(200);
  });

  it('has its own RFC 9728 metadata, named in the 401 challenge, and accepts tokens for the gateway (PUBLIC_URL/mcp)', async () => {
    const unauthenticated = await post('/mcp/plain', {});
    expect(unauthenticated.status).toBe(401);
    const challenge = unauthenticated.headers.get('www-authenticate') ?? '';
    const metadataUrl = `${s.publicUrl}/.well-known/oauth-protected-resource/mcp/plain`;
    expect(challenge).toContain(`resource_metadata="${metadataUrl}"`);
    const meta = await fetch(metadataUrl);
    expect(meta.status).toBe(200);
    expect(await meta.json()).toMatchObject({
      resource: `${s.mcp}/plain`,
      authorization_servers: [s.issuer],
    });

    const sys = { type: 'system' as const, id: 'test', orgId: s.t.orgId };
    const ci = await s.t.sc.oauth.server!.registerClient(sys, {
      name: 'endpoint ci',
      scopes: ['tools:write'],
    });
    await s.t.sc.rbac.users.grantAsSystem(sys, { type: 'client', id: ci.clientId }, ['engineer']);
    const config = await s.configFor(ci.clientId, oidc.ClientSecretBasic(ci.clientSecret));
    // The resource the metadata names can be asked for; its token is the gateway's (ADR 0040 amended).
    for (const resource of [s.mcp, `${s.mcp}/plain`]) {
      const token = (await oidc.clientCredentialsGrant(config, { scope: 'tools:write', resource }))
        .access_token;
      const aud = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).aud;
      expect(aud, resource).toBe(s.mcp);
      const client = await connect('plain', { authorization: `Bearer ${token}` });
      try {
        expect(await routed(client, 'search')).toBe('alpha:called search');
      } finally {
        await client.close();
      }
    }
    const forApi = (await oidc.clientCredentialsGrant(config, { scope: 'tools:write' })).access_token;
    expect((await post('/mcp/plain', { authorization: `Bearer ${forApi}` })).status).toBe(401);
  });
});
