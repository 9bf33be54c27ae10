import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Egress } from './egress.ts';
import { createEgress } from './egress.ts';
import { EgressError } from './errors.ts';
import { BAD_PORTS } from './ports.ts';

/**
 * SPRINTCONNECT_EGRESS_PORTS against real sockets on 127.0.0.1 (issue 8 point 5, ADR 0027): a port outside
 * the list is refused before the first request, on a redirect hop, and in the connector for libraries that
 * use the dispatcher directly; the refused server never sees a connection.
 */

interface Listening {
  readonly port: number;
  readonly origin: string;
  connections: number;
  close(): Promise<void>;
}

const servers: Listening[] = [];
const egresses: Egress[] = [];

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Listening> {
  const server = createServer(handler);
  server.on('connection', () => {
    state.connections++;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const state: Listening = {
    port,
    origin: `http://127.0.0.1:${port}`,
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

/** Loopback allowed, so every refusal below is the port policy's. */
function egress(ports: string): Egress {
  const e = createEgress({ allow: '127.0.0.1/32', ports });
  egresses.push(e);
  return e;
}

async function egressError(p: Promise<unknown>): Promise<EgressError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EgressError);
  return error as EgressError;
}

const ok = (_req: IncomingMessage, res: ServerResponse) => res.end('hello');

afterEach(async () => {
  await Promise.all(egresses.splice(0).map((e) => e.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('SPRINTCONNECT_EGRESS_PORTS against real sockets', () => {
  it('reaches a listed port, and refuses an unlisted one before connecting, naming the setting', async () => {
    const listed = await listen(ok);
    const unlisted = await listen(ok);
    const e = egress(`80,443,${listed.port}`);
    expect(await (await e.fetch(`${listed.origin}/`)).text()).toBe('hello');
    const error = await egressError(e.fetch(`${unlisted.origin}/`));
    expect(error.code).toBe('egress_port_not_allowed');
    expect(error.detail).toBe(
      `port ${unlisted.port} is not in SPRINTCONNECT_EGRESS_PORTS (80,443,${listed.port}); ` +
        `to allow it, add ${unlisted.port} to SPRINTCONNECT_EGRESS_PORTS`,
    );
    expect((await e.checkUrl(`${unlisted.origin}/mcp`)).ok).toBe(false);
    expect(unlisted.connections).toBe(0);
  });

  it('refuses a redirect to an unlisted port at the hop; that target gets no connection', async () => {
    const target = await listen(ok);
    const first = await listen((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${target.port}/internal` });
      res.end();
    });
    const error = await egressError(egress(String(first.port)).fetch(`${first.origin}/start`));
    expect(error.code).toBe('egress_redirect_blocked');
    expect(error.detail).toContain(`redirect from ${first.origin} refused: port ${target.port} is not in`);
    expect(error.detail).toContain('SPRINTCONNECT_EGRESS_PORTS');
    expect(target.connections).toBe(0);
  });

  it('names the refusing rule on a redirect hop refused for its port', async () => {
    const target = await listen(ok);
    const first = await listen((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${target.port}/mcp` });
      res.end();
    });
    const error = await egressError(
      egress(String(first.port)).fetch(`${first.origin}/mcp`, { method: 'POST' }),
    );
    expect(error.code).toBe('egress_redirect_blocked');
    expect(error.rule).toBe('global:egress_port_not_allowed');
    expect(target.connections).toBe(0);
  });

  it('refuses at connect time a connection made through the dispatcher to an unlisted port', async () => {
    const unlisted = await listen(ok);
    const e = egress('80,443');
    const error = await undiciRequest(`${unlisted.origin}/`, { dispatcher: e.dispatcher }).catch(
      (x: unknown) => x,
    );
    expect(error).toBeInstanceOf(EgressError);
    expect((error as EgressError).code).toBe('egress_port_not_allowed');
    expect(unlisted.connections).toBe(0);
  });

  it('refuses every Fetch "bad port" even when every port is listed, as Node\'s own fetch does', async () => {
    const e = egress('1-65535');
    for (const port of BAD_PORTS) {
      const url = `http://127.0.0.1:${port}/`;
      expect((await egressError(e.fetch(url))).code).toBe('egress_bad_port');
      const check = await e.checkUrl(url);
      expect(check.ok ? 'ok' : check.code).toBe('egress_bad_port');
      // The list is the one Node's fetch enforces (it refuses before connecting, so this opens no socket).
      const plain = await fetch(url).catch((x: unknown) => x);
      expect((plain as Error).cause).toMatchObject({ message: 'bad port' });
    }
  });
});
