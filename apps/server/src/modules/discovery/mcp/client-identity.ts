/**
 * Who discovery says it is. Both values are fixed so that two discoveries of an unchanged server get the
 * same answer: servers may list differently by client capabilities (MCP spec, basic/lifecycle,
 * capability negotiation; server-everything registers some tools only for clients declaring sampling,
 * elicitation or roots), so the capabilities are recorded in every snapshot.
 */
import type { DiscoveryTimeouts, JsonObject } from './types.ts';

/**
 * Discovery only lists, and never answers server-to-client requests (sampling, elicitation, roots), so it
 * declares none: declaring them would invite requests it cannot serve.
 */
export const DISCOVERY_CLIENT_CAPABILITIES: Readonly<JsonObject> = Object.freeze({});

/** The version tracks what the discovery client declares and does, not the SprintConnect release. */
export const DISCOVERY_CLIENT_INFO = Object.freeze({ name: 'sprintconnect-discovery', version: '1.0.0' });

export const DEFAULT_DISCOVERY_TIMEOUTS: Readonly<DiscoveryTimeouts> = Object.freeze({
  connectMs: 10_000,
  listMs: 20_000,
  totalMs: 60_000,
});
