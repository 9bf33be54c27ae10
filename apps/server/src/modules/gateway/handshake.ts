import { LATEST_LEGACY_VERSION, LEGACY_VERSIONS, META, MODERN_VERSION } from './era.ts';

/** What the gateway says about itself when a caller starts: `initialize` (2025 era), `server/discover` (2026-07-28). */
export const SERVER_INFO = { name: 'sprintconnect', title: 'SprintConnect MCP gateway', version: '0.1.0' };

/** Who the gateway says it is to the upstreams it calls (their `initialize` and 2026 `_meta`). */
export const GATEWAY_CLIENT_INFO = { name: 'sprintconnect-gateway', version: '0.1.0' };

// `listChanged`: the gateway tells its callers when their lists may differ (notify-streams.ts, ADR 0047);
// `completions`: routed to the server owning the prompt or template (completions.ts, ADR 0049);
// `logging`: upstream log messages are relayed on the caller's stream (ADR 0046).
const CAPABILITIES = {
  tools: { listChanged: true },
  resources: { listChanged: true },
  prompts: { listChanged: true },
  logging: {},
  completions: {},
};

const instructions = (endpoint: 'default' | 'virtual') =>
  endpoint === 'default'
    ? "Tools, resources and prompts of your organization's registered MCP servers, named <server>__<name>, " +
      "and SprintConnect's own tools, named sprintconnect__<name>, to find, describe and register servers."
    : 'Tools, resources and prompts of the servers this endpoint was composed of, named by its naming rule.';

/** The 2025-era `initialize` answer: the caller's revision when we speak it, else our latest 2025 one. */
export function initializeResult(asked: string, endpoint: 'default' | 'virtual') {
  return {
    protocolVersion: LEGACY_VERSIONS.includes(asked) ? asked : LATEST_LEGACY_VERSION,
    capabilities: CAPABILITIES,
    serverInfo: SERVER_INFO,
    instructions: instructions(endpoint),
  };
}

/** The 2026-07-28 `server/discover` answer (no session: asked again by any caller, cacheable by none). */
export function discoverResult(endpoint: 'default' | 'virtual') {
  return {
    supportedVersions: [MODERN_VERSION],
    capabilities: CAPABILITIES,
    instructions: instructions(endpoint),
    resultType: 'complete',
    ttlMs: 0,
    cacheScope: 'private',
    _meta: { [META.serverInfo]: SERVER_INFO },
  };
}
