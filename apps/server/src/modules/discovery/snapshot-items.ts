import type { IndexItem } from '../search/index.ts';
import type { CapabilitySnapshot } from './mcp/index.ts';

type Raw = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Flattens a snapshot into the rows the search index holds; resources are named by name, else URI. */
export function toIndexItems(s: CapabilitySnapshot): IndexItem[] {
  const out: IndexItem[] = [];
  for (const t of s.tools as Raw[])
    out.push({ kind: 'tool', name: str(t.name), description: str(t.description), definition: t });
  for (const r of s.resources as Raw[]) {
    out.push({
      kind: 'resource',
      name: str(r.name) || str(r.uri),
      description: str(r.description),
      definition: r,
    });
  }
  for (const r of s.resourceTemplates as Raw[]) {
    out.push({
      kind: 'resource_template',
      name: str(r.name) || str(r.uriTemplate),
      description: str(r.description),
      definition: r,
    });
  }
  for (const p of s.prompts as Raw[])
    out.push({ kind: 'prompt', name: str(p.name), description: str(p.description), definition: p });
  // The primary key is (kind, name): keep the first of any duplicate names a server reports.
  const key = (i: IndexItem) => `${i.kind}:${i.name}`;
  return out.filter((i, n) => i.name !== '' && out.findIndex((j) => key(j) === key(i)) === n);
}

export function countsOf(s: CapabilitySnapshot) {
  return {
    tools: s.tools.length,
    resources: s.resources.length,
    resourceTemplates: s.resourceTemplates.length,
    prompts: s.prompts.length,
  };
}
