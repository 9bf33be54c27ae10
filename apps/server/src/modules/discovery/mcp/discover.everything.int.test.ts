/**
 * Discovery against the reference server (`@modelcontextprotocol/server-everything`, a 2025-era server),
 * checked against an SDK-free oracle: a raw JSON-RPC listing of the same running server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEverything, startEverything } from '../../../../test/mcp-servers/everything.ts';
import {
  type RawListing,
  rawListSse,
  rawListStreamableHttp,
} from '../../../../test/mcp-servers/raw-jsonrpc.ts';
import { DISCOVERY_CLIENT_CAPABILITIES, DISCOVERY_CLIENT_INFO } from './client-identity.ts';
import { discoverServer } from './discover.ts';
import type { CapabilitySnapshot, DiscoveryTransport } from './types.ts';

const KINDS = [
  ['tools', 'name'],
  ['resources', 'uri'],
  ['resourceTemplates', 'uriTemplate'],
  ['prompts', 'name'],
] as const;

const keys = (items: ReadonlyArray<Record<string, unknown>>, key: string) => items.map((i) => String(i[key]));

/** fetch that records the headers of every request, to prove the caller's headers reach the server. */
function recordingFetch() {
  const seen: Headers[] = [];
  const f: typeof fetch = (input, init) => {
    seen.push(new Headers(init?.headers));
    return fetch(input, init);
  };
  return { fetch: f, seen };
}

async function discoverOk(url: string, transport: DiscoveryTransport, f: typeof fetch = fetch) {
  const result = await discoverServer({
    url,
    transport,
    headers: { 'x-sprintconnect-test': 'yes' },
    fetch: f,
  });
  if (!result.ok) throw new Error(`discovery failed: ${JSON.stringify(result.failure)}`);
  return result.snapshot;
}

function expectSameListing(snapshot: CapabilitySnapshot, raw: RawListing, label: string) {
  const counts: Record<string, [number, number]> = {};
  for (const [kind, key] of KINDS) {
    counts[kind] = [snapshot[kind].length, raw[kind].length];
    expect(snapshot[kind].length, `${label} ${kind} count`).toBeGreaterThan(0);
    expect(keys(snapshot[kind], key), `${label} ${kind} keys`).toEqual(keys(raw[kind], key));
    // Loose result schemas keep every member, so the items are exactly what went over the wire.
    expect(snapshot[kind], `${label} ${kind} items`).toEqual(raw[kind]);
  }
  console.log(`${label}: counts [discovery, raw JSON-RPC]`, JSON.stringify(counts));
  expect(snapshot.protocolVersion).toBe(raw.protocolVersion);
  expect(snapshot.serverInfo).toEqual(raw.serverInfo);
  expect(snapshot.serverCapabilities).toEqual(raw.capabilities);
  expect(snapshot.instructions).toBe(raw.instructions);
}

describe('discovery of server-everything', () => {
  let streamable: RunningEverything;
  let sse: RunningEverything;

  beforeAll(async () => {
    [streamable, sse] = await Promise.all([startEverything('streamable-http'), startEverything('sse')]);
  });
  afterAll(async () => {
    await Promise.all([streamable?.close(), sse?.close()]);
  });

  it('over Streamable HTTP lists exactly what a raw JSON-RPC listing of the same server gets', async () => {
    const snapshot = await discoverOk(streamable.url, 'streamable-http');
    const raw = await rawListStreamableHttp(streamable.url, {
      protocolVersion: snapshot.protocolVersion,
      capabilities: { ...DISCOVERY_CLIENT_CAPABILITIES },
      clientInfo: { ...DISCOVERY_CLIENT_INFO },
    });
    expectSameListing(snapshot, raw, 'streamable-http');
  });

  it('over SSE lists exactly what a raw JSON-RPC listing of the same server gets', async () => {
    const snapshot = await discoverOk(sse.url, 'sse');
    const raw = await rawListSse(sse.url, {
      protocolVersion: snapshot.protocolVersion,
      capabilities: { ...DISCOVERY_CLIENT_CAPABILITIES },
      clientInfo: { ...DISCOVERY_CLIENT_INFO },
    });
    expectSameListing(snapshot, raw, 'sse');
  });

  it('finds the same catalogue over both transports', async () => {
    const [a, b] = await Promise.all([
      discoverOk(streamable.url, 'streamable-http'),
      discoverOk(sse.url, 'sse'),
    ]);
    for (const [kind, key] of KINDS) expect(keys(b[kind], key)).toEqual(keys(a[kind], key));
  });

  it('falls back to a 2025-era revision with a server that does not speak 2026-07-28', async () => {
    const snapshot = await discoverOk(streamable.url, 'streamable-http');
    expect(snapshot.protocolVersion).toMatch(/^2025-/);
    expect(snapshot.serverInfo).toMatchObject({ name: 'mcp-servers/everything' });
  });

  it('records the fixed client capabilities it declared', async () => {
    const snapshot = await discoverOk(streamable.url, 'streamable-http');
    expect(snapshot.clientCapabilities).toEqual(DISCOVERY_CLIENT_CAPABILITIES);
  });

  it.each(['streamable-http', 'sse'] as const)(
    'sends the caller headers on every %s request',
    async (transport) => {
      const recorder = recordingFetch();
      await discoverOk(transport === 'sse' ? sse.url : streamable.url, transport, recorder.fetch);
      expect(recorder.seen.length).toBeGreaterThan(1);
      for (const headers of recorder.seen) expect(headers.get('x-sprintconnect-test')).toBe('yes');
    },
  );
});
