import type { SearchInput, SearchResult } from '@sprintconnect/contracts';
import type { Actor } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { VisibleServers } from '../authz/index.ts';
import { type SearchRow, type SearchVisibility, searchCandidates, searchServers } from './search.repo.ts';
import { planSearch, type SearchPlan } from './search-plan.ts';

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
    score: round(r.score),
    matches: r.matches.map((m) => ({
      term: plan.terms[m.term]!.text,
      kind: m.kind,
      name: m.name,
      description: m.description,
      score: round(m.score),
      version: m.version,
      definition: m.definition,
    })),
  };
}

export function createSearchService(deps: { db: Db }) {
  return {
    /**
     * Servers of the actor's org with a capability for every term, best first (rules: SearchQuery), among
     * those the caller's `scope` lets it see (ADR 0020): its policy filter inside the query, or a batch of PDP
     * decisions over the candidates first. `total` counts only what the caller may see.
     */
    async search(actor: Actor, input: SearchInput, scope?: VisibleServers): Promise<SearchResult> {
      const plan = planSearch(input);
      // The repository filters by org itself; the tenant transaction puts RLS behind it.
      const rows = await withTenant(deps.db, actor.orgId, async (tx) => {
        let visible: SearchVisibility = {};
        if (scope?.mode === 'query') visible = { filter: scope.filter };
        if (scope?.mode === 'batch') {
          const found = await searchCandidates(tx, actor.orgId, plan, {
            withCapabilities: scope.needsCapabilities,
          });
          visible = { ids: found.filter((s) => scope.allows(s, s.capabilities)).map((s) => s.id) };
        }
        return searchServers(tx, actor.orgId, plan, visible);
      });
      return {
        query: {
          capabilities: plan.terms.map((t) => t.text),
          fuzzy: plan.fuzzy,
          environment: plan.environment,
          tags: [...plan.tags],
          limit: plan.limit,
        },
        total: rows[0]?.total ?? 0,
        items: rows.map((r) => toItem(plan, r)),
      };
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
