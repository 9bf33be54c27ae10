import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_EGRESS_PORTS } from '../../../test/constants.ts';
import type { Egress } from './egress.ts';
import { createEgress } from './egress.ts';
import { EgressError } from './errors.ts';
import type { EgressDecision } from './fetch.ts';
import { parseOrgEgressRules } from './org-rules.ts';
import type { EgressLookup } from './resolve.ts';

/**
 * The lean egress `request` (ADR 0040, the gateway's upstream POSTs) answers to the same rules as the egress
 * fetch: the platform policy, the org's rules and admission before the hop, the guarded dispatcher at connect
 * time. Real sockets, a real HTTP server on 127.0.0.1.
 */
interface Server {
  readonly origin: string;
  readonly port: number;
  readonly bodies: string[];
  connections: number;
  close(): Promise<void>;
}

const open: { close(): Promise<void> }[] = [];

async function startServer(): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      state.bodies.push(body);
      res.setHeader('content-type', 'application/json');
      res.setHeader('mcp-session-id', 's-1');
      res.end(body);
    });
  });
  server.on('connection', () => {
    state.connections++;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const state: Server = {
    origin: `http://127.0.0.1:${port}`,
    port,
    bodies: [],
    connections: 0,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  open.push(state);
  return state;
}

function egress(allow: readonly string[], lookup?: EgressLookup): Egress {
  const e = createEgress({ allow, ports: TEST_EGRESS_PORTS, ...(lookup === undefined ? {} : { lookup }) });
  open.push(e);
  return e;
}

function rules(input: Parameters<typeof parseOrgEgressRules>[0]) {
  const r = parseOrgEgressRules(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.rules;
}

async function refusal(p: Promise<unknown>): Promise<EgressError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EgressError);
  return error as EgressError;
}

const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' } as const;

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

describe('the lean egress request enforces the egress rules', () => {
  it('posts to an allowlisted server and hands back status, headers and the body stream', async () => {
    const server = await startServer();
    const decisions: EgressDecision[] = [];
    const scoped = egress(['127.0.0.1/32']).scoped({
      rules: rules({}),
      onDecision: (d) => decisions.push(d),
    });
    const res = await scoped.request(`${server.origin}/mcp`, post);
    expect(res.status).toBe(200);
    expect(res.headers['mcp-session-id']).toBe('s-1');
    expect(await res.body.text()).toBe('{"a":1}');
    expect(decisions).toEqual([{ decision: 'allowed', rule: 'none' }]);
  });

  it('refuses 127.0.0.1 when the platform does not allowlist it, before any connection', async () => {
    const server = await startServer();
    const error = await refusal(egress([]).request(`${server.origin}/mcp`, post));
    expect(error.code).toBe('egress_address_blocked');
    expect(server.connections).toBe(0);
  });

  it("refuses a host the org's rules deny, naming the rule, before any connection", async () => {
    const server = await startServer();
    const decisions: EgressDecision[] = [];
    const scoped = egress(['127.0.0.1/32']).scoped({
      rules: rules({ deny: ['127.0.0.1/32'] }),
      onDecision: (d) => decisions.push(d),
    });
    const error = await refusal(scoped.request(`${server.origin}/mcp`, post));
    expect(error.code).toBe('egress_denied_by_org_policy');
    expect(error.rule).toBe('denylist:127.0.0.1/32');
    expect(decisions).toEqual([{ decision: 'denied', rule: 'denylist:127.0.0.1/32' }]);
    expect(server.connections).toBe(0);
  });

  it("runs the scope's admission before the hop: a refused admission sends nothing", async () => {
    const server = await startServer();
    const scoped = egress(['127.0.0.1/32']).scoped({
      rules: rules({}),
      admit: async () => ({
        ok: false,
        code: 'egress_rate_limited',
        detail: 'the outbound rate limit is reached',
        rule: 'rate_limit',
        retryAfterSeconds: 7,
      }),
    });
    const error = await refusal(scoped.request(`${server.origin}/mcp`, post));
    expect(error.code).toBe('egress_rate_limited');
    expect(error.retryAfterSeconds).toBe(7);
    expect(server.bodies).toHaveLength(0);
  });

  it('judges the addresses a name resolves to at connect time (a private answer is refused)', async () => {
    const server = await startServer();
    const lookup: EgressLookup = async (): Promise<LookupAddress[]> => [{ address: '127.0.0.1', family: 4 }];
    const error = await refusal(
      egress(['10.0.0.0/8'], lookup).request(`http://rebound.example:${server.port}/mcp`, post),
    );
    expect(error.code).toBe('egress_address_blocked');
    expect(server.connections).toBe(0);
  });
});
