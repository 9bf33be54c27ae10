import type { Dispatcher } from 'undici';
import type { EgressAllowlist } from './allowlist.ts';
import type { EgressFailure } from './errors.ts';
import { EgressError, ruleOf } from './errors.ts';
import { createHopGuard, observeSent, originOf, refine } from './hop.ts';
import type { OrgEgressRules } from './org-rules.ts';
import type { EgressPorts } from './ports.ts';
import { checkRedirectTarget, nextHopRequest, REDIRECT_STATUSES } from './redirect.ts';
import { parseTargetUrl } from './url.ts';

export type FetchFunction = typeof globalThis.fetch;

/** What happened to one outbound request (one hop), for per-org metrics. */
export interface EgressDecision {
  readonly decision: 'allowed' | 'denied' | 'rate_limited';
  /** The rule label (see EgressFailure.rule); `none` when no org rule was involved in an allowed request. */
  readonly rule: string;
}

/**
 * An org's view of egress: its rules (also enforced by the scope's dispatcher at connect time), an admission
 * check run before every hop (the org's outbound rate limit), and a decision observer.
 */
export interface EgressScope {
  readonly rules: OrgEgressRules;
  /** Undefined admits; a failure (egress_rate_limited) refuses the hop. */
  readonly admit?: () => Promise<EgressFailure | undefined>;
  readonly onDecision?: (d: EgressDecision) => void;
}

/** Fetch §4.4 allows 20; callers of an MCP or OAuth endpoint never need more than a handful. */
export const MAX_REDIRECTS = 5;

/**
 * A drop-in `fetch` for the MCP SDK, openid-client and jose. It is the platform's own fetch (so Request and
 * Response are the global classes those libraries check for) driven through the guarded dispatcher. Redirects
 * are followed here, one checked hop at a time, never by undici. Bodies are not buffered: the Response is
 * returned as soon as headers arrive, so SSE streams flow.
 */
export function createEgressFetch(
  allow: EgressAllowlist,
  ports: EgressPorts,
  dispatcher: Dispatcher,
  scope?: EgressScope,
): FetchFunction {
  // undici and @types/node name the same Dispatcher interface from two packages.
  const via = { dispatcher } as unknown as RequestInit;
  const guard = createHopGuard(scope);
  const { observe, refuse, admitHop } = guard;

  return async function egressFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const mode = init?.redirect ?? (input instanceof Request ? input.redirect : 'follow');
    const raw = input instanceof Request ? input.url : input instanceof URL ? input.href : String(input);
    const first = parseTargetUrl(raw, allow, ports);
    if (!first.ok) throw refuse(first);

    // A caller's dispatcher or agent could send the socket anywhere; only ours is used.
    const { dispatcher: _d, agent: _a, ...rest } = (init ?? {}) as RequestInit & { agent?: unknown };
    const build = () =>
      new Request(input instanceof Request ? input : first.url, { ...rest, redirect: 'manual' });
    // A URL with a string body (every JSON-RPC POST the gateway proxies) is sent as it is: its body can be
    // written again for a 307/308 from the string, so no Request is built and no body stream is teed (cloned)
    // up front; that tee cost about as much as the rest of a hop (bench/gateway). Anything else (a Request, a
    // stream body) is built and cloned as before.
    const plain =
      !(input instanceof Request) &&
      (rest.body === undefined || rest.body === null || typeof rest.body === 'string');
    let request: Request | undefined = plain ? undefined : build();

    let previous: string | undefined;
    for (let hop = 0; ; hop++) {
      const current = request?.url ?? first.url.href;
      // Cloning tees the body so a 307/308 can re-send it; only done when there is a body to lose.
      const replay =
        request !== undefined && mode === 'follow' && request.body !== null ? request.clone() : undefined;
      const allowedBy = await admitHop(
        request === undefined ? first.url : new URL(request.url),
        hop,
        hop === 0 ? undefined : originOf(previous ?? current),
      );
      let response: Response;
      try {
        response =
          request === undefined
            ? await globalThis.fetch(first.url, { ...rest, redirect: 'manual', ...via })
            : await globalThis.fetch(request, via);
      } catch (err) {
        const refined = refine(err, hop, current);
        observeSent(guard, refined, allowedBy);
        throw refined;
      }
      observe('allowed', allowedBy);
      const location = response.headers.get('location');
      if (mode === 'manual' || !REDIRECT_STATUSES.has(response.status) || location === null) {
        return hop === 0 ? response : markRedirected(response);
      }
      await response.body?.cancel().catch(() => undefined);
      const target = checkRedirectTarget(location, new URL(current), allow, ports);
      if (!target.ok) {
        observe('denied', ruleOf(target));
        // The rule travels with the refusal, so what reports it can name it (issue 8 fixes, M2).
        throw new EgressError(
          'egress_redirect_blocked',
          `redirect from ${originOf(current)} refused: ${target.detail}`,
          { rule: ruleOf(target) },
        );
      }
      if (mode === 'error') {
        throw new EgressError(
          'egress_redirect_blocked',
          `redirect to ${target.url.origin} not followed: the request has redirect: 'error'`,
        );
      }
      if (hop >= MAX_REDIRECTS) {
        throw new EgressError(
          'egress_redirect_blocked',
          `more than ${MAX_REDIRECTS} redirects from ${first.url.origin}`,
        );
      }
      previous = current;
      // The plain first hop: its request (never sent) and an unread copy to replay, both from the string body.
      request =
        request === undefined
          ? nextHopRequest(build(), build(), response.status, target.url)
          : nextHopRequest(request, replay, response.status, target.url);
    }
  };
}

/** Response.redirected is read-only in the constructor; an own property says the hops were followed. */
function markRedirected(response: Response): Response {
  Object.defineProperty(response, 'redirected', { value: true });
  return response;
}
