import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalog } from '../../../../../bench/search/catalog.ts';
import { userWithRoles } from '../../../test/access-fixtures.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { testPrincipalAuthenticator } from '../../../test/test-principal.ts';
import { encodeCursor, uuidv7 } from '../../kernel/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { ResourceFilter } from '../authz/index.ts';
import { DESCRIBED_RANK } from './match-arms.repo.ts';
import { WALK_ABOVE } from './one-word.repo.ts';
import { type SearchPage, type SearchVisibility, searchServers } from './search.repo.ts';
import { COUNT_UP_TO } from './search.service.ts';
import { planSearch } from './search-plan.ts';
import { nameWords } from './words.ts';

/**
 * A word on more servers than a search counts (ADR 0030, amended), through HTTP on real Postgres: the
 * benchmark's catalog at 1,100 servers, where `status` is in a description of every server and in no name.
 * Such a search walks the servers in name order (more than WALK_ABOVE have the word), counts up to
 * COUNT_UP_TO, and must still page through every server exactly once, in the order of the ranking.
 */
const SERVERS = 1_100;
let t: TestApp;
let org: Awaited<ReturnType<TestApp['newOrg']>>;
/** The catalog's servers in the ranking's order among equal scores: name, then id. */
let byName: { id: string; name: string; environment: string }[];

interface Page {
  total: number;
  totalIsLowerBound?: boolean;
  items: { server: { id: string; name: string }; score: number; matches: { name: string }[] }[];
  nextCursor: string | null;
}

async function search(query: string, headers: Record<string, string>): Promise<Page> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/discovery/servers?${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Every page of a search, following nextCursor (bounded, so that a cursor loop fails instead of hanging). */
async function allPages(query: string, headers: Record<string, string>): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    pages.push(await search(`${query}${cursor === null ? '' : `&cursor=${cursor}`}`, headers));
    cursor = pages.at(-1)!.nextCursor;
  } while (cursor !== null && pages.length < 50);
  return pages;
}

const servers = (pages: Page[]) => pages.flatMap((p) => p.items.map((i) => i.server.name));

beforeAll(async () => {
  t = await startTestApp({ extraAuthenticators: [testPrincipalAuthenticator] });
  org = await t.newOrg('common-words');
  await seedCatalog(
    t.database.adminPool,
    org.orgId,
    { servers: SERVERS, capabilitiesPerServer: 10 },
    nameWords,
  );
  const rows = await withTenant(t.database.adminDb, org.orgId, (tx) =>
    tx.selectFrom('servers').select(['id', 'name', 'environment']).execute(),
  );
  // Names and ids are ASCII here, so code-unit order is the database's C.UTF-8 order.
  const key = (s: { name: string; id: string }) => [s.name, s.id] as const;
  byName = rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
});
afterAll(() => t?.stop());

describe('a word on more servers than a search counts', () => {
  it('total stops at the count, flagged as a lower bound, while the pages reach every server once, in order', async () => {
    // The premise: enough servers have the word to be walked, and to pass the count.
    expect(SERVERS).toBeGreaterThan(Math.max(WALK_ABOVE, COUNT_UP_TO));
    const pages = await allPages('capability=status&limit=100', org.auth);
    expect(pages[0]!.total).toBe(COUNT_UP_TO);
    expect(pages[0]!.totalIsLowerBound).toBe(true);
    expect(servers(pages)).toEqual(byName.map((s) => s.name));
    // Found by descriptions alone, all score the same; each lists the capabilities that hold the word.
    const items = pages.flatMap((p) => p.items);
    expect(new Set(items.map((i) => i.score))).toEqual(new Set([0.385]));
    expect(items[0]!.matches.map((m) => m.name).every((n) => n.startsWith('get_current_'))).toBe(true);
  });

  it('a total under the count is exact and not flagged: the policy in the query hides production', async () => {
    const viewer = (await userWithRoles(t.sc, org.orgId, 'viewer@example.com', ['viewer'])).as();
    const visible = byName.filter((s) => s.environment !== 'production');
    expect(visible.length).toBeLessThan(COUNT_UP_TO);
    const pages = await allPages('capability=status&limit=100', viewer);
    expect(pages[0]!.total).toBe(visible.length);
    expect(pages[0]).not.toHaveProperty('totalIsLowerBound');
    expect(servers(pages)).toEqual(visible.map((s) => s.name));
  });

  it("the search's own filters apply while walking: environment", async () => {
    const staging = byName.filter((s) => s.environment === 'staging');
    const pages = await allPages('capability=upstream&environment=staging&limit=100', org.auth);
    expect(pages[0]!.total).toBe(staging.length);
    expect(servers(pages)).toEqual(staging.map((s) => s.name));
  });
});

async function addServer(orgId: string, name: string, tool: string, description: string): Promise<string> {
  const id = uuidv7();
  await withTenant(t.database.adminDb, orgId, (tx) =>
    tx
      .insertInto('servers')
      .values({
        org_id: orgId,
        id,
        name,
        url: `https://${name}.example/mcp`,
        transport: 'streamable-http',
        environment: 'development',
        tags: [],
        description: '',
        auto_discover: false,
        auth_type: 'none',
        auth_header_name: null,
        auth_secret: null,
        status: 'active',
        created_by: 'system:test',
      })
      .execute(),
  );
  await index(orgId, id, tool, description);
  return id;
}

let versions = 0;
async function index(
  orgId: string,
  serverId: string,
  tool: string,
  description: string,
  more: [string, string][] = [],
) {
  const versionId = uuidv7();
  const version = ++versions;
  await withTenant(t.database.adminDb, orgId, async (tx) => {
    await tx
      .insertInto('capability_versions')
      .values({
        org_id: orgId,
        id: versionId,
        server_id: serverId,
        version,
        content_hash: versionId,
        protocol_version: '2025-06-18',
        snapshot: '{}',
        counts: JSON.stringify({ tools: 1, resources: 0, resourceTemplates: 0, prompts: 0 }),
      })
      .execute();
    const items = [[tool, description] as const, ...more].map(([name, description]) => ({
      kind: 'tool' as const,
      name,
      description,
      definition: { name, description, inputSchema: { type: 'object' } },
    }));
    await t.sc.search.index(tx, { orgId, serverId, versionId, version, items });
  });
}

describe('reading a common word in tiers gives what ranking every match gives', () => {
  /** A caller's policy as the PDP translates it (ADR 0020): no production, no `secret` tag, no `delete_repo`. */
  const POLICY: ResourceFilter = {
    server: {
      op: 'and',
      args: [
        { op: 'not', arg: { op: 'eq', attr: 'server.environment', value: 'production' } },
        { op: 'not', arg: { op: 'tag', value: 'secret' } },
      ],
    },
    capability: { op: 'not', arg: { op: 'eq', attr: 'capability.name', value: 'delete_repo' } },
  };
  /**
   * ADR 0036: the capabilities that hold `status` in their names withheld, so a server whose named capability is
   * withheld is found (in the described tier) only by a capability it may see that holds the word elsewhere.
   */
  const notNamed = (name: string) =>
    ({ op: 'not', arg: { op: 'eq', attr: 'capability.name', value: name } }) as const;
  const WITHHOLD: ResourceFilter = {
    server: POLICY.server,
    capability: { op: 'and', args: [notNamed('status_check'), notNamed('get_status')] },
  };
  /** The same withholding, said of one server by name: search reads that server's facts through the registry. */
  const WITHHOLD_ON_SERVER: ResourceFilter = {
    server: POLICY.server,
    capability: {
      op: 'not',
      arg: {
        op: 'and',
        args: [
          { op: 'eq', attr: 'server.name', value: 'mm-status' },
          { op: 'eq', attr: 'capability.name', value: 'status_check' },
        ],
      },
    },
  };
  /**
   * mm-status's capabilities but `describe` withheld: no finite set of names says which capabilities are
   * refused, so every server a one-word search counts is probed (withheld-names.ts).
   */
  const WITHHOLD_UNBOUNDED: ResourceFilter = {
    server: POLICY.server,
    capability: {
      op: 'not',
      arg: {
        op: 'and',
        args: [{ op: 'eq', attr: 'server.name', value: 'mm-status' }, notNamed('describe')],
      },
    },
  };
  let other: string;
  let someIds: string[];
  let mmStatus: string;

  beforeAll(async () => {
    other = (await t.newOrg('common-words-tiers')).orgId;
    await seedCatalog(
      t.database.adminPool,
      other,
      { servers: SERVERS, capabilitiesPerServer: 10 },
      nameWords,
    );
    // Above the servers found by description: a name equal to `status`, and one holding it; below `get`'s
    // 1,100 named servers, three that have it in a description only.
    await addServer(other, 'zz-status', 'status', 'Reports health');
    await addServer(other, 'aa-status', 'get_status', 'Reports health');
    for (const name of ['thing-b', 'thing-a', 'thing-c'])
      await addServer(other, name, 'fetch_thing', 'Get a thing');
    // Named by `status_check`, and holding the word in a description as well.
    mmStatus = await addServer(other, 'mm-status', 'status_check', 'Checks');
    await index(other, mmStatus, 'status_check', 'Checks', [['describe', 'Shows the status of things']]);
    const rows = await withTenant(t.database.adminDb, other, (tx) =>
      tx.selectFrom('servers').select('id').execute(),
    );
    someIds = rows.filter((_, i) => i % 3 !== 0).map((r) => r.id);
  });

  /** Every page of a search through the repository, in tiers or ranked all, with exact totals. */
  async function pagesOf(capability: string, visible: SearchVisibility, tiers: boolean) {
    const pages: SearchPage[] = [];
    let cursor: string | undefined;
    do {
      const plan = planSearch({ capability, limit: 100, ...(cursor === undefined ? {} : { cursor }) });
      const page = await withTenant(t.database.db, other, (tx) =>
        searchServers(tx, other, plan, visible, { tiers }),
      );
      pages.push(page);
      const last = page.rows.at(-1);
      cursor = page.more && last !== undefined ? encodeCursor([last.rank, last.name, last.id]) : undefined;
    } while (cursor !== undefined && pages.length < 30);
    return pages;
  }

  it.each([
    ['a word only descriptions hold, under names that hold it (walked)', 'status'],
    ['a word in every name, over three descriptions (read by the word)', 'get'],
    ['a word of descriptions on every server', 'upstream'],
    ['a word on few servers', 'thing'],
  ])('%s: the same pages, scores, matches and totals', async (_, word) => {
    const withheld = [{ serverId: mmStatus, kind: 'tool', name: 'status_check' }];
    for (const visible of [
      {},
      { filter: POLICY },
      { ids: someIds },
      { filter: WITHHOLD },
      { filter: WITHHOLD_ON_SERVER },
      { filter: WITHHOLD_UNBOUNDED },
      { ids: [...someIds, mmStatus], withheld },
    ]) {
      const ranked = await pagesOf(word, visible, false);
      expect(await pagesOf(word, visible, true)).toEqual(ranked);
      expect(ranked.flatMap((p) => p.rows).length).toBe(ranked[0]!.total);
    }
  });

  it.each([
    ['by the capability', WITHHOLD],
    ['by the capability on a server named in the condition', WITHHOLD_ON_SERVER],
    ['by every capability of the server but one', WITHHOLD_UNBOUNDED],
  ])(
    'a server whose named capability is withheld (%s) ranks by what it may see, and counts the rest',
    async (_, filter) => {
      for (const tiers of [false, true]) {
        const rows = (await pagesOf('status', { filter }, tiers)).flatMap((p) => p.rows);
        const mm = rows.find((r) => r.name === 'mm-status');
        // Found by its description alone now: the score of every server found that way, and only that match.
        expect(mm).toMatchObject({ rank: DESCRIBED_RANK, withheld: 1, matches: [{ name: 'describe' }] });
        expect(rows.filter((r) => r.name !== 'mm-status').every((r) => r.withheld === 0)).toBe(true);
      }
      // Without the policy it ranks by its name, nothing withheld.
      const free = (await pagesOf('status', {}, true))
        .flatMap((p) => p.rows)
        .find((r) => r.name === 'mm-status');
      expect(free).toMatchObject({ withheld: 0 });
      expect(free!.rank).toBeGreaterThan(DESCRIBED_RANK);
    },
  );
});

describe("a server's words follow its capabilities", () => {
  // In tiers, whatever the word's spread: what server_search_words holds decides what is found.
  const found = async (word: string) =>
    (
      await withTenant(t.database.db, t.orgId, (tx) =>
        searchServers(tx, t.orgId, planSearch({ capability: word }), {}, { tiers: true }),
      )
    ).total;

  it('in tiers, a description word its new version dropped no longer finds the server, nor any once it is deleted', async () => {
    const id = await addServer(t.orgId, 'notebook', 'write_note', 'Stores a memo');
    expect(await found('memo')).toBe(1);
    await index(t.orgId, id, 'write_note', 'Stores a note');
    expect(await found('memo')).toBe(0);
    expect(await found('stores')).toBe(1);
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/servers/${id}`, headers: t.auth });
    expect(res.statusCode).toBe(204);
    expect(await found('stores')).toBe(0);
  });
});
