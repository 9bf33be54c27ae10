import type { LookupAddress } from 'node:dns';
import type { Dispatcher } from 'undici';
import type { EgressTimeouts } from './agent.ts';
import { createEgressAgent } from './agent.ts';
import type { EgressAllowlist } from './allowlist.ts';
import { parseEgressAllow } from './allowlist.ts';
import type { EgressResult } from './errors.ts';
import type { EgressScope, FetchFunction } from './fetch.ts';
import { createEgressFetch } from './fetch.ts';
import { judgeOrgAddress, judgeOrgTarget, targetOf } from './org-match.ts';
import type { OrgEgressRules } from './org-rules.ts';
import { EMPTY_ORG_RULES, hasOrgRules } from './org-rules.ts';
import type { EgressPorts } from './ports.ts';
import { DEFAULT_PORTS, parseEgressPorts } from './ports.ts';
import type { RequestFunction } from './request.ts';
import { createEgressRequest } from './request.ts';
import type { EgressLookup } from './resolve.ts';
import { resolveChecked, systemLookup } from './resolve.ts';
import { parseTargetUrl } from './url.ts';

export interface EgressOptions {
  /** A parsed allowlist, or the raw SPRINTCONNECT_EGRESS_ALLOW entries (invalid entries throw). */
  readonly allow: EgressAllowlist | string | readonly string[];
  /**
   * The ports outbound calls may use: parsed, or SPRINTCONNECT_EGRESS_PORTS as written (invalid entries throw).
   * Default 80 and 443 only.
   */
  readonly ports?: EgressPorts | string | readonly string[];
  readonly timeouts?: EgressTimeouts;
  /** Host name resolution; defaults to the OS resolver (dns.lookup, all addresses). */
  readonly lookup?: EgressLookup;
}

export type CheckUrlResult = EgressResult<{
  readonly url: URL;
  readonly addresses: readonly LookupAddress[];
  /** The org rule that admitted the URL (`allowlist:*.example.com`), `none` when none was involved. */
  readonly rule: string;
}>;

/** Egress on behalf of one org: the platform policy first, then the org's rules, at check and connect time. */
export interface ScopedEgress {
  readonly fetch: FetchFunction;
  /** The lean door: the same checks and dispatcher as `fetch`, no WHATWG objects, no redirects followed. */
  readonly request: RequestFunction;
  checkUrl(raw: string): Promise<CheckUrlResult>;
  /** Closes the scope's own connection pool (none when the org has no rules); in-flight requests finish. */
  close(): Promise<void>;
}

export interface Egress {
  /** WHATWG fetch; throws EgressError when the policy refuses the URL, an address, or a redirect. */
  readonly fetch: FetchFunction;
  /** `undici.request` through the same checks and dispatcher as `fetch`; no redirects followed. */
  readonly request: RequestFunction;
  /** Pre-flight for user-supplied URLs (e.g. a server registration): parse, resolve, judge every address. */
  checkUrl(raw: string): Promise<CheckUrlResult>;
  /** The guarded undici dispatcher, for libraries that take one instead of a fetch. */
  readonly dispatcher: Dispatcher;
  /**
   * Egress narrowed by an org's rules (plain data: this module knows no org). A scope with rules has its own
   * dispatcher, so connections pooled under one org's rules never serve another org or newer rules.
   */
  scoped(scope: EgressScope): ScopedEgress;
  /** Closes pooled connections; in-flight requests finish first. */
  close(): Promise<void>;
}

function toAllowlist(allow: EgressOptions['allow']): EgressAllowlist {
  if (typeof allow !== 'string' && 'cidrs' in allow) return allow;
  const parsed = parseEgressAllow(allow);
  if (!parsed.ok) throw new TypeError(parsed.errors.join('; '));
  return parsed.allow;
}

function toPorts(ports: EgressOptions['ports']): EgressPorts {
  if (ports === undefined) return DEFAULT_PORTS;
  if (typeof ports !== 'string' && 'ranges' in ports) return ports;
  const parsed = parseEgressPorts(ports);
  if (!parsed.ok) throw new TypeError(parsed.errors.join('; '));
  return parsed.ports;
}

export function createEgress(options: EgressOptions): Egress {
  const allow = toAllowlist(options.allow);
  const ports = toPorts(options.ports);
  const lookup = options.lookup ?? systemLookup;
  const dispatcher = createEgressAgent(allow, ports, lookup, options.timeouts);

  async function checkUrl(raw: string, org: OrgEgressRules = EMPTY_ORG_RULES): Promise<CheckUrlResult> {
    const parsed = parseTargetUrl(raw, allow, ports);
    if (!parsed.ok) return parsed;
    const { host, port } = targetOf(parsed.url);
    const target = judgeOrgTarget(org, host, port);
    if (!target.ok) return target;
    const name = host.kind === 'ip' ? host.address : host.name;
    const resolved = await resolveChecked(name, allow, lookup, org);
    if (!resolved.ok) return resolved;
    // A name admitted by an allowlisted block: say which block (every address passed, the first names it).
    const first = resolved.addresses[0];
    const byAddress =
      target.rule === undefined && first !== undefined && org.allow.length > 0
        ? judgeOrgAddress(org, first.address, host.kind === 'name' ? name : undefined)
        : undefined;
    const rule = target.rule ?? (byAddress?.ok === true ? byAddress.rule : undefined) ?? 'none';
    return { ok: true, url: parsed.url, addresses: resolved.addresses, rule };
  }

  return {
    fetch: createEgressFetch(allow, ports, dispatcher),
    request: createEgressRequest(allow, ports, dispatcher),
    dispatcher,
    checkUrl: (raw) => checkUrl(raw),
    scoped(scope) {
      const own = hasOrgRules(scope.rules)
        ? createEgressAgent(allow, ports, lookup, options.timeouts, scope.rules)
        : undefined;
      return {
        fetch: createEgressFetch(allow, ports, own ?? dispatcher, scope),
        request: createEgressRequest(allow, ports, own ?? dispatcher, scope),
        checkUrl: (raw) => checkUrl(raw, scope.rules),
        close: async () => {
          await own?.close();
        },
      };
    },
    close: () => dispatcher.close(),
  };
}
