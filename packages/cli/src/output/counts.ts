export interface CapabilityCounts {
  tools: number;
  resources: number;
  resourceTemplates: number;
  prompts: number;
}

const NOUNS: readonly (readonly [keyof CapabilityCounts, string, string])[] = [
  ['tools', 'tool', 'tools'],
  ['resources', 'resource', 'resources'],
  ['resourceTemplates', 'resource template', 'resource templates'],
  ['prompts', 'prompt', 'prompts'],
];

/** "3 tools, 1 resource, 0 resource templates, 2 prompts" */
export function formatCounts(c: CapabilityCounts): string {
  return NOUNS.map(([key, one, many]) => `${c[key]} ${c[key] === 1 ? one : many}`).join(', ');
}

/** Counts out of a job's untyped `result`, when it has them. */
export function countsFrom(value: unknown): CapabilityCounts | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const ok = NOUNS.every(([key]) => typeof v[key] === 'number');
  return ok ? (v as unknown as CapabilityCounts) : undefined;
}
