import type { FieldError } from '../../kernel/index.ts';
import type { Clash, Missing, VirtualServerSpec } from './expose-tools.ts';

/**
 * Slugs that would shadow a route of the endpoint or read as something else (`/mcp/default` is the org's
 * default endpoint, issue 11 point 2; `.well-known` paths are RFC 9728 metadata, point 3).
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'default',
  'mcp',
  'v1',
  'api',
  'admin',
  'all',
  'well-known',
  'oauth',
  'oidc',
  'health',
  'metrics',
  'sse',
  'messages',
  'new',
]);

const tool = (serverId: string, name: string) => `${serverId}/${name}`;

export function missingErrors(missing: readonly Missing[]): FieldError[] {
  return missing.map((m) => ({
    pointer: m.pointer,
    detail: m.pointer.startsWith('/overrides/')
      ? `The override names ${tool(m.serverId, m.tool)}, which no member selects.`
      : `Server ${m.serverId} does not offer a tool "${m.tool}" (its current capabilities).`,
  }));
}

/** One entry per clash, at the override that caused it, else at the naming rule. */
export function clashErrors(clashes: readonly Clash[], spec: VirtualServerSpec): FieldError[] {
  return clashes.map((c) => ({
    pointer: c.overrideIndex !== undefined ? `/overrides/${c.overrideIndex}/name` : '/naming',
    detail: `"${c.name}" is both ${tool(c.kept.serverId, c.kept.upstreamName)} and ${tool(
      c.withheld.serverId,
      c.withheld.upstreamName,
    )}${c.cause === 'name' && spec.naming === 'none' ? ' (naming rule none)' : ''}`,
  }));
}
