import { isIP } from 'node:net';
import type { Dispatcher } from 'undici';
import { Agent, buildConnector } from 'undici';
import type { EgressAllowlist } from './allowlist.ts';
import { EgressError } from './errors.ts';
import { judgeOrgTarget } from './org-match.ts';
import type { OrgEgressRules } from './org-rules.ts';
import { EMPTY_ORG_RULES } from './org-rules.ts';
import { checkAddress } from './policy.ts';
import type { EgressPorts } from './ports.ts';
import { checkPort } from './ports.ts';
import type { EgressLookup } from './resolve.ts';
import { guardedConnectLookup } from './resolve.ts';

export interface EgressTimeouts {
  /** TCP + TLS handshake. Default 10 s. */
  readonly connectMs?: number;
  /** From request sent to response headers received. Default 30 s. */
  readonly headersMs?: number;
  /**
   * Longest silence between two body chunks. Default 5 min (undici's), which leaves room for MCP SSE streams
   * between keep-alives; 0 disables it.
   */
  readonly bodyMs?: number;
}

const DEFAULTS = { connectMs: 10_000, headersMs: 30_000, bodyMs: 300_000 } as const;

/**
 * The undici dispatcher all egress traffic goes through. The check sits in `connect`, the one place every
 * socket is opened, so it also guards libraries handed this dispatcher directly: IP-literal hosts are judged
 * before the socket is created (net.connect skips lookup for them), names are resolved by a lookup that
 * judges every address and hands net.connect only those (DNS pinning). The port is judged here too
 * (SPRINTCONNECT_EGRESS_PORTS, ADR 0027), whatever URL a library built. An org-scoped agent (`org`) also
 * applies the org's rules here, port included, after the platform policy: a pooled connection never outlives
 * its agent, and an org's agent is replaced when its rules change.
 */
export function createEgressAgent(
  allow: EgressAllowlist,
  ports: EgressPorts,
  lookup: EgressLookup,
  timeouts: EgressTimeouts = {},
  org: OrgEgressRules = EMPTY_ORG_RULES,
): Dispatcher {
  const base = buildConnector({
    timeout: timeouts.connectMs ?? DEFAULTS.connectMs,
    lookup: guardedConnectLookup(allow, lookup, org),
  });
  const connect: buildConnector.connector = (options, callback) => {
    const port = options.port === '' ? (options.protocol === 'https:' ? 443 : 80) : Number(options.port);
    const portVerdict = checkPort(port, ports);
    if (!portVerdict.ok) {
      callback(EgressError.from(portVerdict), null);
      return;
    }
    const bare = options.hostname.replace(/^\[(.*)\]$/, '$1');
    const isLiteral = isIP(bare) !== 0;
    if (isLiteral) {
      const verdict = checkAddress(bare, allow);
      if (!verdict.ok) {
        callback(EgressError.from(verdict), null);
        return;
      }
    }
    const host = isLiteral
      ? { kind: 'ip' as const, address: bare }
      : { kind: 'name' as const, name: options.hostname };
    // For an IP literal this also judges the address; a name's addresses are judged by the lookup.
    const orgVerdict = judgeOrgTarget(org, host, port);
    if (!orgVerdict.ok) {
      callback(EgressError.from(orgVerdict), null);
      return;
    }
    base(options, callback);
  };
  return new Agent({
    connect,
    headersTimeout: timeouts.headersMs ?? DEFAULTS.headersMs,
    bodyTimeout: timeouts.bodyMs ?? DEFAULTS.bodyMs,
  });
}
