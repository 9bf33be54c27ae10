import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_EGRESS_PORTS } from '../../../test/constants.ts';
import type { Egress } from './egress.ts';
import { createEgress } from './egress.ts';
import { EgressError } from './errors.ts';
import type { EgressLookup } from './resolve.ts';

interface TestServer {
  readonly port: number;
  readonly origin: string;
  /** Host header and socket local address of every request received. */
  readonly requests: {
    host: string | undefined;
    localAddress: string | undefined;
    url: string | undefined;
  }[];
  connections: number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
const egresses: Egress[] = [];

async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer> {
  const server = createServer((req, res) => {
    state.requests.push({ host: req.headers.host, localAddress: req.socket.localAddress, url: req.url });
    handler(req, res);
  });
  server.on('connection', () => {
    state.connections++;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const state: TestServer = {
    port,
    origin: `http://127.0.0.1:${port}`,
    requests: [],
    connections: 0,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  servers.push(state);
  return state;
}

function egress(allow: readonly string[], lookup?: EgressLookup): Egress {
  // The servers below listen on ephemeral ports; the port policy has its own tests.
  const e = createEgress({ allow, ports: TEST_EGRESS_PORTS, ...(lookup === undefined ? {} : { lookup }) });
  egresses.push(e);
  return e;
}

/** Resolves names from a table that the OS resolver knows nothing about, counting calls per name. */
function tableLookup(
  table: Record<string, string | string[]>,
): EgressLookup & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const lookup = async (hostname: string): Promise<LookupAddress[]> => {
    calls.set(hostname, (calls.get(hostname) ?? 0) + 1);
    const entry = table[hostname];
    if (entry === undefined) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    return [entry].flat().map((address) => ({ address, family: 4 }));
  };
  return Object.assign(lookup, { calls });
}

const ok = (_req: IncomingMessage, res: ServerResponse) => res.end('hello');

async function egressError(p: Promise<unknown>): Promise<EgressError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EgressError);
  return error as EgressError;
}

afterEach(async () => {
  await Promise.all(egresses.splice(0).map((e) => e.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('egress fetch against real sockets', () => {
  it('reaches an allowlisted 127.0.0.1 server', async () => {
    const server = await startServer(ok);
    const response = await egress(['127.0.0.1/32']).fetch(`${server.origin}/hi`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hello');
    expect(response).toBeInstanceOf(Response);
  });

  it('refuses 127.0.0.1 when not allowlisted before any connection is made', async () => {
    const server = await startServer(ok);
    const error = await egressError(egress([]).fetch(`${server.origin}/hi`));
    expect(error.code).toBe('egress_address_blocked');
    expect(error.detail).toContain('add 127.0.0.1/32 to SPRINTCONNECT_EGRESS_ALLOW');
    expect(server.connections).toBe(0);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a name resolving to a non-allowlisted private address at connect time', async () => {
    const server = await startServer(ok);
    const error = await egressError(
      egress([], tableLookup({ 'svc.test': '127.0.0.1' })).fetch(`http://svc.test:${server.port}/`),
    );
    expect(error.code).toBe('egress_address_blocked');
    expect(server.connections).toBe(0);
  });

  it('connects to exactly the address it checked, keeping the Host header (DNS pinning)', async () => {
    const server = await startServer(ok);
    const lookup = tableLookup({ 'svc.test': '127.0.0.1' });
    const response = await egress(['127.0.0.1/32'], lookup).fetch(`http://svc.test:${server.port}/pinned`);
    expect(await response.text()).toBe('hello');
    expect(server.requests).toEqual([
      { host: `svc.test:${server.port}`, localAddress: '127.0.0.1', url: '/pinned' },
    ]);
    expect(lookup.calls.get('svc.test')).toBe(1);
  });

  it('judges every connection anew, so a DNS answer that rebinds after checkUrl is refused', async () => {
    const server = await startServer(ok);
    let answers = 0;
    const rebinding: EgressLookup = async () => [
      { address: answers++ === 0 ? '127.0.0.1' : '10.0.0.7', family: 4 },
    ];
    const e = egress(['127.0.0.1/32'], rebinding);
    expect((await e.checkUrl(`http://rebind.test:${server.port}/`)).ok).toBe(true);
    const error = await egressError(e.fetch(`http://rebind.test:${server.port}/`));
    expect(error.code).toBe('egress_address_blocked');
    expect(error.detail).toContain('10.0.0.7');
    expect(server.connections).toBe(0);
  });

  it('ignores a dispatcher passed by the caller', async () => {
    const server = await startServer(ok);
    const stray = new Agent();
    const e = egress(['127.0.0.1/32'], tableLookup({ 'svc.test': '127.0.0.1' }));
    // The stray agent would ask the OS resolver, which cannot resolve svc.test.
    const response = await e.fetch(`http://svc.test:${server.port}/`, { dispatcher: stray } as RequestInit);
    expect(await response.text()).toBe('hello');
    await stray.close();
  });

  it('guards connections made through the dispatcher directly', async () => {
    const server = await startServer(ok);
    const e = egress([]);
    const error = await undiciRequest(`${server.origin}/`, { dispatcher: e.dispatcher }).catch(
      (x: unknown) => x,
    );
    expect(error).toBeInstanceOf(EgressError);
    expect(server.connections).toBe(0);
  });

  it('streams a slow SSE response: the first event is readable before the response ends', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: one\n\n');
      void released.then(() => res.end('data: two\n\n'));
    });
    const response = await egress(['127.0.0.1/32']).fetch(`${server.origin}/sse`, {
      headers: { accept: 'text/event-stream' },
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    expect(first.value).toBe('data: one\n\n');
    release();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += chunk.value;
    expect(rest).toBe('data: two\n\n');
  });
});

describe('egress redirects against real sockets', () => {
  const redirectTo =
    (location: string, status = 302) =>
    (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(status, { location });
      res.end();
    };

  it('refuses a redirect to the metadata address with egress_redirect_blocked', async () => {
    const a = await startServer(redirectTo('http://169.254.169.254/latest/meta-data/'));
    const e = egress(['a.test'], tableLookup({ 'a.test': '127.0.0.1' }));
    const error = await egressError(e.fetch(`http://a.test:${a.port}/`));
    expect(error.code).toBe('egress_redirect_blocked');
    expect(error.detail).toContain('metadata');
    expect(a.requests).toHaveLength(1);
  });

  it('refuses a redirect to a non-allowlisted private address; that target gets no connection', async () => {
    const b = await startServer(ok);
    const a = await startServer(redirectTo(`${b.origin}/internal`));
    const e = egress(['a.test'], tableLookup({ 'a.test': '127.0.0.1' }));
    const error = await egressError(e.fetch(`http://a.test:${a.port}/`));
    expect(error.code).toBe('egress_redirect_blocked');
    expect(error.detail).toContain('127.0.0.1 is a loopback address');
    expect(b.connections).toBe(0);
  });

  it('refuses a redirect to a name that resolves privately; that target gets no connection', async () => {
    const b = await startServer(ok);
    const a = await startServer(redirectTo(`http://b.test:${b.port}/`));
    const e = egress(['a.test'], tableLookup({ 'a.test': '127.0.0.1', 'b.test': '127.0.0.1' }));
    const error = await egressError(e.fetch(`http://a.test:${a.port}/`));
    expect(error.code).toBe('egress_redirect_blocked');
    expect(error.detail).toContain('b.test resolves to 127.0.0.1');
    expect(b.connections).toBe(0);
  });

  it('follows an allowed redirect, re-sending the body on 307 and reporting the final URL', async () => {
    const b = await startServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => res.end(`${req.method} ${body}`));
    });
    const a = await startServer(redirectTo(`http://b.test:${b.port}/final`, 307));
    const e = egress(['127.0.0.1/32'], tableLookup({ 'a.test': '127.0.0.1', 'b.test': '127.0.0.1' }));
    const response = await e.fetch(`http://a.test:${a.port}/start`, { method: 'POST', body: 'payload' });
    expect(await response.text()).toBe('POST payload');
    expect(response.url).toBe(`http://b.test:${b.port}/final`);
    expect(response.redirected).toBe(true);
  });

  it("returns the redirect itself with redirect: 'manual' and throws with redirect: 'error'", async () => {
    const a = await startServer(redirectTo('http://169.254.169.254/'));
    const e = egress(['127.0.0.1/32']);
    const manual = await e.fetch(`${a.origin}/`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe('http://169.254.169.254/');
    const error = await egressError(e.fetch(`${a.origin}/`, { redirect: 'error' }));
    expect(error.code).toBe('egress_redirect_blocked');
  });

  it('stops after 5 redirects', async () => {
    const loop = await startServer((req, res) => {
      const n = Number(req.url?.slice(1) ?? 0);
      res.writeHead(302, { location: `/${n + 1}` });
      res.end();
    });
    const error = await egressError(egress(['127.0.0.1/32']).fetch(`${loop.origin}/0`));
    expect(error.code).toBe('egress_redirect_blocked');
    expect(error.detail).toContain('more than 5 redirects');
    expect(loop.requests).toHaveLength(6);
  });
});
