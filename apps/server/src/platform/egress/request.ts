import type { Dispatcher } from 'undici';
import { request as undiciRequest } from 'undici';
import type { EgressAllowlist } from './allowlist.ts';
import type { EgressScope } from './fetch.ts';
import { createHopGuard, observeSent, refine } from './hop.ts';
import type { EgressPorts } from './ports.ts';
import { parseTargetUrl } from './url.ts';

export interface EgressRequestOptions {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly headers?: Readonly<Record<string, string>>;
  /** A string body only: nothing is teed or buffered for a replay, since redirects are not followed. */
  readonly body?: string;
  readonly signal?: AbortSignal;
}

export interface EgressResponse {
  readonly status: number;
  /** Lower-case names, as undici hands them over. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * The body as it arrives (undici's Node stream): read it to the end, `dump()` it (keeps the connection) or
   * destroy it (closes the connection).
   */
  readonly body: Dispatcher.ResponseData['body'];
}

/** URL verdicts kept per request function (a scope); the map is emptied when full. */
const PARSED_URLS = 256;

/** One request, no redirect followed: a 3xx is returned as it is (the caller decides what it means). */
export type RequestFunction = (url: string | URL, options: EgressRequestOptions) => Promise<EgressResponse>;

/**
 * The lean door out (issue 11 bench, ADR 0040 "The hot path"): `undici.request` on the same guarded
 * dispatcher as the egress `fetch`, with the same checks before the hop (the platform's URL policy, the org's
 * rules and admission, shared with fetch through `hop.ts`) and the same ones at connect time (the dispatcher's
 * address, port and org checks, DNS pinning). No WHATWG Request/Response/Headers or web streams: on the same
 * keep-alive agent a JSON POST round trip costs about a third of fetch's CPU. Redirects are not followed: a
 * proxied JSON-RPC POST has no business being redirected, and not following one needs no second check.
 */
export function createEgressRequest(
  allow: EgressAllowlist,
  ports: EgressPorts,
  dispatcher: Dispatcher,
  scope?: EgressScope,
): RequestFunction {
  const guard = createHopGuard(scope);
  // The verdict on a URL string depends only on the string and the platform policy, both fixed for this
  // function: a gateway calls the same few upstream URLs over and over, and parsing each cost ~2% of its CPU.
  const parsed = new Map<string, ReturnType<typeof parseTargetUrl>>();
  const parse = (raw: string) => {
    let verdict = parsed.get(raw);
    if (verdict === undefined) {
      verdict = parseTargetUrl(raw, allow, ports);
      if (parsed.size >= PARSED_URLS) parsed.clear();
      parsed.set(raw, verdict);
    }
    return verdict;
  };
  return async function egressRequest(url, options) {
    const target = parse(url instanceof URL ? url.href : url);
    if (!target.ok) throw guard.refuse(target);
    const allowedBy = await guard.admitHop(target.url, 0, undefined);
    try {
      const res = await undiciRequest(target.url, {
        method: options.method,
        headers: options.headers,
        body: options.body,
        signal: options.signal,
        dispatcher,
      });
      guard.observe('allowed', allowedBy);
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (err) {
      const refined = refine(err, 0, target.url.href);
      observeSent(guard, refined, allowedBy);
      throw refined;
    }
  };
}
