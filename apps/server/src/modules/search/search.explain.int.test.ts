import type { SearchInput } from '@sprintconnect/contracts';
import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalog } from '../../../../../bench/search/catalog.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/harness.ts';
import { encodeCursor } from '../../kernel/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { ResourceFilter } from '../authz/index.ts';
import { compileSearchQuery, type PageOptions, type SearchVisibility, searchServers } from './search.repo.ts';
import { COUNT_UP_TO } from './search.service.ts';
import { planSearch } from './search-plan.ts';
import { nameWords } from './words.ts';

/**
 * The search stays indexed at scale: 10k servers x 25 capabilities (250k rows, the benchmark's catalog),
 * default planner settings, the runtime role under its tenant, and EXPLAIN of the very statement the
 * repository sends.
 */
const ORG = '0190b8a4-0000-7000-8000-00000000c0de';
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedCatalog(database.adminPool, ORG, { servers: 10_000, capabilitiesPerServer: 25 }, nameWords);
});
afterAll(() => database?.drop());

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(n: PlanNode): PlanNode[] {
  return [n, ...(n.Plans ?? []).flatMap(nodes)];
}

async function explain(input: SearchInput, visible: SearchVisibility = {}, options: PageOptions = {}) {
  const compiled = compileSearchQuery(database.db, ORG, planSearch(input), visible, options);
  return withTenant(database.db, ORG, async (tx) => {
    const r = await tx.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      CompiledQuery.raw(`EXPLAIN (FORMAT JSON) ${compiled.sql}`, [...compiled.parameters]),
    );
    return nodes(r.rows[0]!['QUERY PLAN'][0].Plan);
  });
}

const WORDS = 'capabilities_search_keys';
// An exact name is one comparison of the whole name (issue 10, point 3): the name btree alone.
const NAME = 'capabilities_name';

const searches: [string, SearchInput, number, string][] = [
  ['one word', { capability: 'weather' }, 200, WORDS],
  ['a full name', { capability: 'get_current_weather' }, 200, NAME],
  ['two capabilities', { capability: 'weather,calendar' }, 2, WORDS],
  ['a fuzzy typo', { capability: 'weathr', fuzzy: true }, 200, WORDS],
  [
    'a fuzzy phrase, filtered',
    { capability: 'curent wether', fuzzy: true, environment: 'production', tags: 'public' },
    33,
    WORDS,
  ],
  // Issue 10, point 3: whole words of descriptions too (`upstream` is in every `<domain>.sync` description).
  ['a word of descriptions on every server', { capability: 'upstream' }, 10_000, WORDS],
  ['words of a name and a description', { capability: 'weather upstream' }, 200, WORDS],
  [
    'a later page',
    {
      capability: 'weather',
      cursor: encodeCursor([7167, 'server-5000', '0190b8a4-0000-7000-8000-000000000000']),
    },
    200,
    WORDS,
  ],
];

describe('capability search at 250k capabilities', () => {
  it.each(searches)(
    '%s uses indexes, never a sequential scan of capabilities or servers',
    async (_, input, _total, index) => {
      const plan = await explain(input);
      const seqScans = plan
        .filter(
          (n) =>
            n['Node Type'] === 'Seq Scan' && ['capabilities', 'servers'].includes(n['Relation Name'] ?? ''),
        )
        .map((n) => n['Relation Name']);
      expect(seqScans).toEqual([]);
      const indexes = new Set(plan.map((n) => n['Index Name']).filter((i) => i !== undefined));
      expect(indexes).toContain(index);
      expect(indexes).toContain('servers_pkey');
    },
  );

  it.each(searches)('%s finds what the catalog holds', async (_, input, total) => {
    const page = await withTenant(database.db, ORG, (tx) => searchServers(tx, ORG, planSearch(input)));
    expect(page.total).toBe(total);
  });
});

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

describe('capability search filtered by policy at 250k capabilities', () => {
  it.each(searches)('%s stays on indexes with the policy filter in the query', async (_, input) => {
    const plan = await explain(input, { filter: POLICY });
    const seqScans = plan
      .filter(
        (n) =>
          n['Node Type'] === 'Seq Scan' && ['capabilities', 'servers'].includes(n['Relation Name'] ?? ''),
      )
      .map((n) => n['Relation Name']);
    expect(seqScans).toEqual([]);
    const indexes = new Set(plan.map((n) => n['Index Name']).filter((i) => i !== undefined));
    expect(indexes).toContain('servers_pkey');
    expect(indexes).toContain('capabilities_pkey');
  });
});

const seqScansOf = (plan: PlanNode[]) =>
  plan
    .filter(
      (n) => n['Node Type'] === 'Seq Scan' && ['capabilities', 'servers'].includes(n['Relation Name'] ?? ''),
    )
    .map((n) => n['Relation Name']);

describe('a word on every server, in tiers and counted as the API counts (ADR 0030, amended)', () => {
  it.each(searches)(
    '%s stays on indexes in tiers or not, when the total stops at the count',
    async (_, input) => {
      for (const visible of [{}, { filter: POLICY }]) {
        for (const tiers of [false, true]) {
          const plan = await explain(input, visible, { countUpTo: COUNT_UP_TO, tiers });
          expect(seqScansOf(plan)).toEqual([]);
          expect(new Set(plan.map((n) => n['Index Name']))).toContain('servers_pkey');
        }
      }
    },
  );

  it('pages through its servers in name order, probing the words of each, and counts them by word', async () => {
    const plan = await explain({ capability: 'status' }, {}, { countUpTo: COUNT_UP_TO, tiers: true });
    const indexes = new Set(plan.map((n) => n['Index Name']).filter((i) => i !== undefined));
    expect(indexes).toContain('servers_by_name');
    expect(indexes).toContain('server_search_words_by_word');
    expect(seqScansOf(plan)).toEqual([]);
  });

  it('counts exactly up to the count, then stops', async () => {
    const count = (input: SearchInput, countUpTo: number) =>
      withTenant(database.db, ORG, (tx) => searchServers(tx, ORG, planSearch(input), {}, { countUpTo }));
    // `weather` finds 200 servers, `status` every one of the 10k.
    expect(await count({ capability: 'weather' }, COUNT_UP_TO)).toMatchObject({ total: 200 });
    expect(await count({ capability: 'weather' }, COUNT_UP_TO)).not.toHaveProperty('totalIsLowerBound');
    expect(await count({ capability: 'status' }, COUNT_UP_TO)).toMatchObject({
      total: COUNT_UP_TO,
      totalIsLowerBound: true,
    });
    expect(await count({ capability: 'weather' }, 199)).toMatchObject({
      total: 199,
      totalIsLowerBound: true,
    });
  });
});
