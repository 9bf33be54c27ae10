import type { SearchInput, SearchResult } from '@sprintconnect/contracts';
import { type Actor, encodeCursor } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { VisibleServers } from '../authz/index.ts';
import {
  type PageOptions,
  type SearchPage,
  type SearchRow,
  type SearchVisibility,
  searchCandidates,
  searchServers,
} from './search.repo.ts';
import { planSearch, type SearchPlan } from './search-plan.ts';
import {
  fuzzyAlternative,
  performed,
  SUGGESTED_NAMES,
  searchHref,
  suggestedNames,
} from './search-suggestion.ts';

type VisibleScope = VisibleServers;

/**
 * `total` is exact up to this many servers; beyond, it is this, with `totalIsLowerBound` (ADR 0030, amended):
 * counting every server a common word finds would cost a lookup each, for a number nobody pages through.
 * GitHub's search stops at 1,000 results; Elasticsearch counts to 10,000 (`track_total_hits`), more than a
 * policy-filtered count here can afford (a lookup per server).
 */
export const COUNT_UP_TO = 1_000;

// Four decimals are plenty to rank by and keep float noise (0.7749999) out of the API.
const round = (n: number) => Math.round(n * 10_000) / 10_000;

function toItem(plan: SearchPlan, r: SearchRow): SearchResult['items'][number] {
  const self = `/v1/servers/${r.id}`;
  return {
    server: {
      id: r.id,
      name: r.name,
      url: r.url,
      environment: r.environment,
      tags: r.tags,
      description: r.description,
      status: r.status,
      links: { self, capabilities: `${self}/capabilities` },
    },
    // The rank the server is ordered and paged by, so the scores a client sees explain the order.
    score: r.rank / 10_000,
    withheld: r.withheld,
    matches: r.matches.map((m) => ({
      term: plan.terms[m.term]!.text,
      terms: m.terms.map((i) => plan.terms[i]!.text),
      kind: m.kind,
      name: m.name,
      description: m.description,
      score: round(m.score),
      version: m.version,
      definition: m.definition,
    })),
  };
}

/**
 * One page of a search among the servers and capabilities the caller's `scope` lets it see (ADR 0020, ADR
 * 0036): its policy's conditions inside the query, or a batch of PDP decisions over the candidates first.
 */
async function findPage(
  tx: Tx,
  orgId: string,
  plan: SearchPlan,
  scope: VisibleScope | undefined,
  options: PageOptions,
): Promise<SearchPage> {
  let visible: SearchVisibility = {};
  if (scope?.mode === 'query') visible = { filter: scope.filter };
  if (scope?.mode === 'batch') {
    const found = await searchCandidates(tx, orgId, plan, { withCapabilities: scope.withholds });
    const servers = found.filter((s) => scope.showsServer(s));
    // Withheld capabilities match nothing and are counted, their servers stay (ADR 0036).
    const withheld = servers.flatMap((s) =>
      s.capabilities
        .filter((c) => !scope.showsCapability(s, c))
        .map((c) => ({ serverId: s.id, kind: c.kind, name: c.name })),
    );
    visible = { ids: servers.map((s) => s.id), withheld };
  }
  return searchServers(tx, orgId, plan, visible, options);
}

export function createSearchService(deps: { db: Db }) {
  return {
    /**
     * Servers of the actor's org with a capability for every term, best first (rules: SearchQuery), among
     * those the caller's `scope` lets it see (ADR 0020). `total` counts only what the caller may see (exactly
     * up to COUNT_UP_TO), and so does the fuzzy suggestion offered when nothing matched (ADR 0030).
     */
    async search(actor: Actor, input: SearchInput, scope?: VisibleScope): Promise<SearchResult> {
      const plan = planSearch(input);
      // The repository filters by org itself; the tenant transaction puts RLS behind it.
      const { page, alternative } = await withTenant(deps.db, actor.orgId, async (tx) => {
        const page = await findPage(tx, actor.orgId, plan, scope, { countUpTo: COUNT_UP_TO });
        const other = page.total === 0 ? fuzzyAlternative(plan) : null;
        if (other === null) return { page, alternative: null };
        const probe = { ...other, limit: SUGGESTED_NAMES };
        // Counted exactly: a fuzzy search is ranked all anyway, and the suggestion's total has no flag.
        const found = await findPage(tx, actor.orgId, probe, scope, {});
        return { page, alternative: { plan: other, page: found } };
      });
      const last = page.rows.at(-1);
      const result: SearchResult = {
        query: performed(plan),
        total: page.total,
        ...(page.totalIsLowerBound ? { totalIsLowerBound: true as const } : {}),
        items: page.rows.map((r) => toItem(plan, r)),
        nextCursor: page.more && last !== undefined ? encodeCursor([last.rank, last.name, last.id]) : null,
      };
      if (alternative !== null && alternative.page.total > 0) {
        result.suggestion = {
          query: performed(alternative.plan),
          href: searchHref(alternative.plan),
          total: alternative.page.total,
          names: suggestedNames(alternative.page.rows.map((r) => toItem(alternative.plan, r))),
        };
      }
      return result;
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
