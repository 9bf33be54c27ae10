import type { EgressFailure } from './errors.ts';
import { EgressError, findEgressError, ruleOf } from './errors.ts';
import type { EgressDecision, EgressScope } from './fetch.ts';
import { judgeOrgTarget, targetOf } from './org-match.ts';

/**
 * The per-hop checks every egress entry point shares (the WHATWG `fetch` and the lean `request`): the org's
 * rules on the URL's host and port, its admission (outbound rate limit), and the decision observer. One copy,
 * so the two doors cannot drift apart; the scope's dispatcher judges the addresses again at connect time.
 */
export interface HopGuard {
  observe(decision: EgressDecision['decision'], rule: string): void;
  /** The refusal as the error callers see, observed as denied or rate limited. */
  refuse(failure: EgressFailure, detailPrefix?: string): EgressError;
  /** The org's rules and admission for one hop; returns the allowing rule label. */
  admitHop(url: URL, hop: number, from: string | undefined): Promise<string>;
}

export function createHopGuard(scope: EgressScope | undefined): HopGuard {
  const observe = (decision: EgressDecision['decision'], rule: string) =>
    scope?.onDecision?.({ decision, rule });
  const refuse = (failure: EgressFailure, detailPrefix = ''): EgressError => {
    observe(failure.code === 'egress_rate_limited' ? 'rate_limited' : 'denied', ruleOf(failure));
    return new EgressError(failure.code, `${detailPrefix}${failure.detail}`, {
      rule: failure.rule,
      retryAfterSeconds: failure.retryAfterSeconds,
    });
  };
  return {
    observe,
    refuse,
    async admitHop(url, hop, from) {
      if (scope === undefined) return 'none';
      const { host, port } = targetOf(url);
      const verdict = judgeOrgTarget(scope.rules, host, port);
      if (!verdict.ok) throw refuse(verdict, hop === 0 ? '' : `redirect from ${from} refused: `);
      const limited = await scope.admit?.();
      if (limited !== undefined) throw refuse(limited);
      return verdict.rule ?? (scope.rules.allow.length > 0 ? 'allowlist' : 'none');
    },
  };
}

/**
 * Surfaces a connect-time refusal (wrapped by fetch in TypeError('fetch failed')) as the EgressError itself;
 * on a redirect hop a policy refusal becomes egress_redirect_blocked. Other errors (abort, timeouts, resets)
 * pass through untouched so callers see what plain fetch would throw.
 */
export function refine(err: unknown, hop: number, url: string): unknown {
  const egress = findEgressError(err);
  if (egress === undefined) return err;
  if (hop === 0 || egress.code === 'egress_dns_failed') return egress;
  // An org rule keeps its code on a redirect hop, so the problem still names the rule that refused.
  if (egress.code === 'egress_denied_by_org_policy') {
    return new EgressError(egress.code, `redirect to ${originOf(url)} refused: ${egress.detail}`, {
      cause: egress,
      rule: egress.rule,
    });
  }
  return new EgressError(
    'egress_redirect_blocked',
    `redirect to ${originOf(url)} refused: ${egress.detail}`,
    {
      cause: egress,
      rule: ruleOf(egress),
    },
  );
}

/** Details name origins only: paths and queries may carry tokens, and details end up in logs. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

/** Observes how one sent hop ended: a connect-time policy refusal is a denial, anything else was allowed. */
export function observeSent(guard: HopGuard, err: unknown, allowedBy: string): void {
  const egress = err instanceof EgressError ? err : undefined;
  if (egress !== undefined && egress.code !== 'egress_dns_failed') guard.observe('denied', ruleOf(egress));
  else guard.observe('allowed', allowedBy);
}
