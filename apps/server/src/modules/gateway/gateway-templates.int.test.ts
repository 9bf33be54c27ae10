/**
 * Issue 11 point 10, ADR 0047: the upstreams' resource templates are listed through the gateway (named like
 * resources, `<server>__<name>`, with the upstream's URI template) and a read of a URI that matches one is
 * routed to its server, with the same result a client gets direct; a URI no template matches is unknown.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscovered } from '../../../test/discovered-server.ts';
import { type RunningEverything, startEverything } from '../../../test/mcp-servers/everything.ts';
import { type OAuthTestApp, startOAuthApp } from '../../../test/oauth-app.ts';

let s: OAuthTestApp;
let everything: RunningEverything;

beforeAll(async () => {
  s = await startOAuthApp({ env: { SPRINTCONNECT_EGRESS_ALLOW: '127.0.0.1/32' } });
  everything = await startEverything('streamable-http');
  await registerDiscovered(s.t, s.t.auth, { name: 'everything', url: everything.url });
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await everything?.close();
});

async function client(url: string, keyed: boolean) {
  const c = new Client({ name: 'templates', version: '1.0.0' });
  const headers = keyed ? { authorization: `Bearer ${s.t.adminKey}` } : {};
  await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return c;
}

describe('resource templates through the gateway (ADR 0047)', () => {
  it("lists the upstream's templates, prefixed, and routes a read of a matching URI to it", async () => {
    const [direct, gateway] = await Promise.all([client(everything.url, false), client(s.mcp, true)]);
    try {
      const mine = (await direct.listResourceTemplates()).resourceTemplates;
      const theirs = (await gateway.listResourceTemplates()).resourceTemplates;
      expect(mine.length).toBeGreaterThan(0);
      expect(theirs).toEqual(mine.map((t) => ({ ...t, name: `everything__${t.name}` })));
      for (const uri of ['demo://resource/dynamic/text/7', 'demo://resource/dynamic/blob/3']) {
        expect(await gateway.readResource({ uri }), uri).toEqual(await direct.readResource({ uri }));
      }
      const unknown = await gateway.readResource({ uri: 'demo://resource/elsewhere/7' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(unknown).toMatchObject({ code: -32602, message: expect.stringContaining('Unknown resource') });
    } finally {
      await Promise.all([direct.close(), gateway.close()]);
    }
  });
});
