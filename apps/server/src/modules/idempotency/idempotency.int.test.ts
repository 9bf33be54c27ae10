import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_MASTER_KEY } from '../../../test/constants.ts';
import { eventually, startTestApp, type TestApp } from '../../../test/harness.ts';
import { fixedClock } from '../../kernel/index.ts';
import { deriveKey } from '../../platform/crypto/index.ts';
import { requestFingerprint } from './idempotency-key.ts';

/**
 * Issue 8, point 19: `Idempotency-Key` on POST routes, registration first (ADR 0026). A retry after a lost
 * response gets the original answer, not a 409; never two servers for one key.
 */
const clock = fixedClock(new Date());
let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await startTestApp({ clock });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
});
afterAll(() => t.stop());

type Org = { orgId: string; key: string; auth: { authorization: string } };
let orgs = 0;
const newOrg = (): Promise<Org> => t.newOrg(`idem-org-${++orgs}`);
const server = (name: string) => ({ name, url: `https://${name}.idem.example/mcp`, autoDiscover: false });
const register = (org: Org, key: string | undefined, payload: unknown) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/servers',
    headers: { ...org.auth, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: payload as Record<string, unknown>,
  });
const servers = async (orgId: string) =>
  (await t.database.adminPool.query('SELECT id FROM servers WHERE org_id = $1', [orgId])).rows.map(
    (r) => r.id as string,
  );

describe('a registration retried with its Idempotency-Key', () => {
  it('gets the original 201 again (same body, same id, Location), marked as replayed, and one server exists', async () => {
    const org = await newOrg();
    const key = randomUUID();
    const first = await register(org, key, server('once'));
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await register(org, key, server('once'));
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(await servers(org.orgId)).toEqual([first.json().id]);
  });

  it('after a response lost on a real socket (the client hung up unread), the retry gets the first 201', async () => {
    const org = await newOrg();
    const key = randomUUID();
    const body = JSON.stringify(server('lost'));
    const sock = connect(Number(new URL(base).port), '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    sock.pause();
    sock.write(
      `POST /v1/servers HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${org.auth.authorization}\r\n` +
        `Content-Type: application/json\r\nIdempotency-Key: ${key}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // The request runs; its response is never read: the client hangs up, as a timed-out client would.
    const [id] = await eventually(async () => {
      const ids = await servers(org.orgId);
      return ids.length > 0 ? ids : undefined;
    }, 10_000);
    sock.destroy();
    // The client retries as the draft asks: on 409 idempotency_key_in_flight, after Retry-After.
    const retried = await eventually(async () => {
      const res = await fetch(`${base}/v1/servers`, {
        method: 'POST',
        headers: { ...org.auth, 'content-type': 'application/json', 'idempotency-key': key },
        body,
      });
      const json = (await res.json()) as { id?: string; code?: string };
      return res.status === 409 && json.code === 'idempotency_key_in_flight'
        ? undefined
        : { status: res.status, replayed: res.headers.get('idempotent-replayed'), json };
    }, 10_000);
    expect(retried.status).toBe(201);
    expect(retried.replayed).toBe('true');
    expect(retried.json.id).toBe(id);
    expect(await servers(org.orgId)).toEqual([id]);
  });

  it('two requests with one key at once: one 201 and the other the same 201 or 409 in flight, never two servers', async () => {
    const org = await newOrg();
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 4 }, () => register(org, key, server('twin'))));
    const created = results.filter((r) => r.statusCode === 201);
    const busy = results.filter((r) => r.statusCode === 409);
    expect(created.length + busy.length).toBe(4);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.json().id)).size).toBe(1);
    for (const r of busy) {
      expect(r.json().code).toBe('idempotency_key_in_flight');
      expect(r.headers['retry-after']).toBe('1');
    }
    expect(await servers(org.orgId)).toEqual([created[0]!.json().id]);
  });

  it('with a different body is refused with 422 idempotency_key_reused, naming the first request, and changes nothing', async () => {
    const org = await newOrg();
    const key = randomUUID();
    expect((await register(org, key, server('first'))).statusCode).toBe(201);
    const other = await register(org, key, server('second'));
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(other.json()).toMatchObject({ code: 'idempotency_key_reused', status: 422 });
    expect(other.json().detail).toMatch(/POST \/v1\/servers/);
    expect(await servers(org.orgId)).toHaveLength(1);
    // The same members in another order are the same request.
    const reordered = await register(org, key, {
      autoDiscover: false,
      url: 'https://first.idem.example/mcp',
      name: 'first',
    });
    expect(reordered.statusCode).toBe(201);
    expect(reordered.headers['idempotent-replayed']).toBe('true');
  });

  it('on another route is refused with 422 too', async () => {
    const org = await newOrg();
    const key = randomUUID();
    const created = await register(org, key, server('routed'));
    const discover = await t.app.inject({
      method: 'POST',
      url: `/v1/servers/${created.json().id}/discover`,
      headers: { ...org.auth, 'idempotency-key': key },
    });
    expect(discover.statusCode).toBe(422);
    expect(discover.json().code).toBe('idempotency_key_reused');
  });

  it('is independent per principal and per org: another key holder runs its own request', async () => {
    const org = await newOrg();
    const key = randomUUID();
    expect((await register(org, key, server('mine'))).statusCode).toBe(201);
    const colleague = await t.sc.apiKeys.keys.create(
      { type: 'system', id: 'test', orgId: org.orgId },
      { name: 'colleague', scopes: ['admin'] },
    );
    const theirs = await register(
      { ...org, auth: { authorization: `Bearer ${colleague.token}` } },
      key,
      server('theirs'),
    );
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    const elsewhere = await newOrg();
    const abroad = await register(elsewhere, key, server('mine'));
    expect(abroad.statusCode).toBe(201);
    expect(abroad.headers['idempotent-replayed']).toBeUndefined();
    expect(await servers(org.orgId)).toHaveLength(2);
    expect(await servers(elsewhere.orgId)).toHaveLength(1);
  });

  it('is forgotten after 24 hours: the key may then name a new request', async () => {
    const org = await newOrg();
    const key = randomUUID();
    expect((await register(org, key, server('yesterday'))).statusCode).toBe(201);
    clock.advance(24 * 60 * 60 * 1000 - 1000);
    expect((await register(org, key, server('today'))).statusCode).toBe(422);
    clock.advance(2000);
    const later = await register(org, key, server('today'));
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(await servers(org.orgId)).toHaveLength(2);
  });

  it('while a claim is held, a retry gets 409 in flight; a claim its process left behind is taken over after 60 s', async () => {
    const org = await newOrg();
    const key = randomUUID();
    const payload = server('orphan');
    // A process claimed the key for this very request and died before answering.
    const { rows } = await t.database.adminPool.query('SELECT id FROM api_keys WHERE org_id = $1', [
      org.orgId,
    ]);
    const now = clock.now();
    await t.database.adminPool.query(
      `INSERT INTO idempotency_keys (org_id, principal, key, fingerprint, method, path, state, claim_id,
         locked_until, created_at, expires_at)
       VALUES ($1, $2, $3, $4, 'POST', '/v1/servers', 'in_flight', $5, $6, $7, $8)`,
      [
        org.orgId,
        `api_key:${rows[0].id}`,
        key,
        requestFingerprint(deriveKey(TEST_MASTER_KEY, 'idempotency-fingerprint'), {
          method: 'POST',
          url: '/v1/servers',
          body: payload,
        }),
        randomUUID(),
        new Date(now.getTime() + 60_000),
        now,
        new Date(now.getTime() + 24 * 60 * 60 * 1000),
      ],
    );
    const busy = await register(org, key, payload);
    expect(busy.statusCode).toBe(409);
    expect(busy.json().code).toBe('idempotency_key_in_flight');
    expect(busy.headers['retry-after']).toBe('1');
    expect(await servers(org.orgId)).toEqual([]);
    clock.advance(61_000);
    const taken = await register(org, key, payload);
    expect(taken.statusCode).toBe(201);
    const replay = await register(org, key, payload);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await servers(org.orgId)).toEqual([taken.json().id]);
  });
});
