import type { LookupAddress } from 'node:dns';
import type { Dispatcher } from 'undici';
import type { EgressTimeouts } from './agent.ts';
import { createEgressAgent } from './agent.ts';
import type { EgressAllowlist } from './allowlist.ts';
import { parseEgressAllow } from './allowlist.ts';
import type { EgressResult } from './errors.ts';
import type { FetchFunction } from './fetch.ts';
import { createEgressFetch } from './fetch.ts';
import type { EgressLookup } from './resolve.ts';
import { resolveChecked, systemLookup } from './resolve.ts';
import { parseTargetUrl } from './url.ts';

export interface EgressOptions {
  /** A parsed allowlist, or the raw SPRINTCONNECT_EGRESS_ALLOW entries (invalid entries throw). */
  readonly allow: EgressAllowlist | string | readonly string[];
  readonly timeouts?: EgressTimeouts;
  /** Host name resolution; defaults to the OS resolver (dns.lookup, all addresses). */
  readonly lookup?: EgressLookup;
}

export type CheckUrlResult = EgressResult<{
  readonly url: URL;
  readonly addresses: readonly LookupAddress[];
}>;

export interface Egress {
  /** WHATWG fetch; throws EgressError when the policy refuses the URL, an address, or a redirect. */
  readonly fetch: FetchFunction;
  /** Pre-flight for user-supplied URLs (e.g. a server registration): parse, resolve, judge every address. */
  checkUrl(raw: string): Promise<CheckUrlResult>;
  /** The guarded undici dispatcher, for libraries that take one instead of a fetch. */
  readonly dispatcher: Dispatcher;
  /** Closes pooled connections; in-flight requests finish first. */
  close(): Promise<void>;
}

function toAllowlist(allow: EgressOptions['allow']): EgressAllowlist {
  if (typeof allow !== 'string' && 'cidrs' in allow) return allow;
  const parsed = parseEgressAllow(allow);
  if (!parsed.ok) throw new TypeError(parsed.errors.join('; '));
  return parsed.allow;
}

export function createEgress(options: EgressOptions): Egress {
  const allow = toAllowlist(options.allow);
  const lookup = options.lookup ?? systemLookup;
  const dispatcher = createEgressAgent(allow, lookup, options.timeouts);
  return {
    fetch: createEgressFetch(allow, dispatcher),
    dispatcher,
    async checkUrl(raw) {
      const parsed = parseTargetUrl(raw, allow);
      if (!parsed.ok) return parsed;
      const host = parsed.host.kind === 'ip' ? parsed.host.address : parsed.host.name;
      const resolved = await resolveChecked(host, allow, lookup);
      return resolved.ok ? { ok: true, url: parsed.url, addresses: resolved.addresses } : resolved;
    },
    close: () => dispatcher.close(),
  };
}
