import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';
import { uuidv7 } from '../../kernel/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { IndexItem } from './index.ts';

/**
 * Issue 10, point 3 through HTTP on real Postgres: an exact name matches that name only; plain search matches
 * whole words of names and descriptions, names first; a search that finds nothing suggests the fuzzy one; each
 * capability is listed once; pages neither skip nor repeat; policies still decide what is found (ADR 0030).
 */
let t: TestApp;

type Env = 'development' | 'staging' | 'production';
type Tool = [name: string, description: string];

async function addServer(orgId: string, name: string, tools: Tool[], environment: Env = 'development') {
  const id = uuidv7();
  const versionId = uuidv7();
  await withTenant(t.database.adminDb, orgId, async (tx) => {
    await tx
      .insertInto('servers')
      .values({
        org_id: orgId,
        id,
        name,
        url: `https://${name}.example/mcp`,
        transport: 'streamable-http',
        environment,
        tags: [],
        description: '',
        auto_discover: false,
        auth_type: 'none',
        auth_header_name: null,
        auth_secret: null,
        status: 'active',
        current_version_id: versionId,
        created_by: 'system:test',
      })
      .execute();
    await tx
      .insertInto('capability_versions')
      .values({
        org_id: orgId,
        id: versionId,
        server_id: id,
        version: 1,
        content_hash: versionId,
        protocol_version: '2025-06-18',
        snapshot: '{}',
        counts: JSON.stringify({ tools: tools.length, resources: 0, resourceTemplates: 0, prompts: 0 }),
      })
      .execute();
  });
  const items = tools.map(
    ([n, description]): IndexItem => ({
      kind: 'tool',
      name: n,
      description,
      definition: { name: n, description, inputSchema: { type: 'object' } },
    }),
  );
  await withTenant(t.database.db, orgId, (tx) =>
    t.sc.search.index(tx, { orgId, serverId: id, versionId, version: 1, items }),
  );
  return id;
}

interface Body {
  total: number;
  items: {
    server: { name: string };
    score: number;
    matches: { term: string; terms: string[]; name: string; score: number }[];
  }[];
  nextCursor: string | null;
  suggestion?: { query: Record<string, unknown>; href: string; total: number; names: string[] };
}

async function search(query: string, headers: Record<string, string> = t.auth): Promise<Body> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/discovery/servers?${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const names = (b: Body) => b.items.map((i) => i.server.name);

beforeAll(async () => {
  t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
  await addServer(t.orgId, 'weather-snake', [['get_current_weather', 'Current conditions for a city']]);
  await addServer(t.orgId, 'weather-camel', [['getCurrentWeather', 'Weather now']]);
  // `math` sorts first by name: only its lower score (a description match) may put it last.
  await addServer(t.orgId, 'math', [['get-sum', 'Returns the sum of two numbers']]);
  await addServer(t.orgId, 'adder', [
    ['add_numbers', 'Adds numbers'],
    ['total', 'Totals the numbers it is given'],
  ]);
  await addServer(t.orgId, 'numbers-named', [['count_numbers', 'Counts what it is given']]);
  await addServer(t.orgId, 'ledger-prod', [['export_rows', 'Exports the payroll ledger']], 'production');
});
afterAll(() => t?.stop());

describe('exact names and whole words (issue 10, point 3)', () => {
  it('an exact name (get_current_weather) matches that name only, not getCurrentWeather', async () => {
    expect(names(await search('capability=get_current_weather'))).toEqual(['weather-snake']);
    expect(names(await search('capability=getCurrentWeather'))).toEqual(['weather-camel']);
    // Equality of the whole name, ignoring case (ADR 0030).
    expect(names(await search('capability=GET_CURRENT_WEATHER'))).toEqual(['weather-snake']);
  });

  it('"numbers" finds get-sum by the whole word in its description', async () => {
    const b = await search('capability=numbers');
    const math = b.items.find((i) => i.server.name === 'math');
    expect(math?.matches.map((m) => m.name)).toContain('get-sum');
    expect(names(await search('capability=sum%20numbers'))).toEqual(['math']);
    // Whole words only: `number` is not a word of "numbers".
    expect(names(await search('capability=number'))).toEqual([]);
  });

  it('a name match ranks before a description-only match', async () => {
    const b = await search('capability=numbers');
    expect(names(b)).toEqual(['adder', 'numbers-named', 'math']);
    expect(b.items[1]!.score).toBeGreaterThan(b.items[2]!.score);
    // Within a server too, and each capability once although add_numbers has the word in both fields.
    expect(b.items[0]!.matches.map((m) => m.name)).toEqual(['add_numbers', 'total']);
  });

  it('a capability matched by two terms is listed once, with every term it matches', async () => {
    // get-sum: `sum` in its name, `numbers` in its description.
    const b = await search('capability=sum,numbers');
    expect(names(b)).toEqual(['math']);
    expect(b.items[0]!.matches).toEqual([
      expect.objectContaining({ name: 'get-sum', term: 'sum', terms: ['sum', 'numbers'] }),
    ]);
  });
});

describe('a search that finds nothing (issue 10, point 3)', () => {
  it('answers with the fuzzy search as a suggestion, with its link, count and names', async () => {
    const b = await search('capability=numbrs&limit=7');
    expect(b.total).toBe(0);
    expect(b.items).toEqual([]);
    expect(b.suggestion).toEqual({
      query: { capabilities: ['numbrs'], fuzzy: true, environment: null, tags: [], limit: 7 },
      href: '/v1/discovery/servers?capability=numbrs&fuzzy=true&limit=7',
      total: 3,
      // The fuzzy ranking: names a typo away (tied, so by server), then the description of math.
      names: ['add_numbers', 'total', 'count_numbers', 'get-sum'],
    });
    const followed = await search(b.suggestion!.href.split('?')[1]!);
    expect(followed.total).toBe(3);
    expect(names(followed)).toEqual(['adder', 'numbers-named', 'math']);
    expect(followed.suggestion).toBeUndefined();
  });

  it('suggests the same words in another style for a name that is not there', async () => {
    const b = await search('capability=get_curent_weather');
    expect(b.total).toBe(0);
    expect(b.suggestion?.names.sort()).toEqual(['getCurrentWeather', 'get_current_weather']);
  });

  it('suggests nothing when a search finds something, or when the fuzzy one finds nothing either', async () => {
    expect(await search('capability=numbers')).not.toHaveProperty('suggestion');
    expect(await search('capability=teleport')).not.toHaveProperty('suggestion');
  });
});

describe('pages of a search', () => {
  let org: Awaited<ReturnType<TestApp['newOrg']>>;

  beforeAll(async () => {
    org = await t.newOrg('search-pages');
    // Scores: 1 (equal name), 0.775 twice, 0.717, then 0.385 three times (a description).
    const tools: [string, Tool][] = [
      ['p-a', ['report', 'Makes a report']],
      ['p-b', ['daily_report', '']],
      ['p-c', ['daily_report', '']],
      ['p-d', ['send_daily_report', '']],
      ['p-e', ['archive', 'Archives a report']],
      ['p-f', ['archive', 'Archives a report']],
      ['p-g', ['purge', 'Deletes every report']],
    ];
    // Created in reverse, so that ids (time-ordered) would order ties the other way round than names.
    for (const [server, tool] of [...tools].reverse()) await addServer(org.orgId, server, [tool]);
  });

  it('pages follow the ranking and neither skip nor repeat a server', async () => {
    const all = await search('capability=report&limit=100', org.auth);
    expect(all.total).toBe(7);
    expect(all.nextCursor).toBeNull();
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: Body = await search(
        `capability=report&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        org.auth,
      );
      expect(page.total).toBe(7);
      pages.push(names(page));
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 5);
    // Page boundaries fall inside ties (p-b|p-c, p-f|p-g): the name decides there.
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 1]);
    expect(pages.flat()).toEqual(names(all));
    expect(names(all)).toEqual(['p-a', 'p-b', 'p-c', 'p-d', 'p-e', 'p-f', 'p-g']);
  });

  it('refuses a cursor it did not issue with 422', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/discovery/servers?capability=report&cursor=Zm9v',
      headers: org.auth,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toContainEqual(expect.objectContaining({ pointer: '/cursor' }));
  });
});

describe('policies decide what descriptions find (ADR 0020)', () => {
  it('a role that may not see a server does not find it by its description, nor through the suggestion', async () => {
    const viewer = (await userWithRoles(t.sc, t.orgId, 'viewer@example.com', ['viewer'])).as();
    expect(names(await search('capability=ledger'))).toEqual(['ledger-prod']);
    expect(names(await search('capability=ledger', viewer))).toEqual([]);
    expect((await search('capability=ledgr')).suggestion?.names).toEqual(['export_rows']);
    expect(await search('capability=ledgr', viewer)).not.toHaveProperty('suggestion');
  });

  it('the same holds when the policy is decided per candidate (batch)', async () => {
    const org = await t.newOrg('search-batch');
    await addServer(org.orgId, 'secret-ledger', [['export_rows', 'Exports the payroll ledger']]);
    await addServer(org.orgId, 'open-ledger', [['read_rows', 'Reads the payroll ledger']]);
    await withTenant(t.database.adminDb, org.orgId, (tx) =>
      tx
        .insertInto('policies')
        .values({
          org_id: org.orgId,
          id: uuidv7(),
          name: 'no-secrets',
          body: 'forbid (principal, action, resource is SprintConnect::Server) when { resource.name like "secret-*" };',
        })
        .execute(),
    );
    t.sc.rbac.permissions.invalidate(org.orgId);
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/discovery/servers?capability=ledger',
      headers: org.auth,
    });
    expect(res.headers['sc-policy-filter']).toBe('batch');
    expect(names(res.json())).toEqual(['open-ledger']);
    expect((await search('capability=ledgr', org.auth)).suggestion?.names).toEqual(['read_rows']);
  });
});
