/**
 * What a tenant is told about a failed discovery attempt (issue 8 point 5, ADR 0027). A failure before the
 * server answered (refused, reset, silent, not HTTP) is shown as one `unreachable`, the same code, message,
 * guidance and retry behaviour whatever happened on the wire, because those differences are how a URL
 * becomes a port scanner. The precise failure goes to the server log. Every other failure is shown as is:
 * once a server has answered, what it answered is the tenant's business.
 */
import type { DiscoveryFailure, DiscoveryFailureCode } from './mcp/index.ts';

export type ShownFailureCode = DiscoveryFailureCode | 'unreachable';

/** The job's and the server's `error`, as stored and returned by the API. */
export interface ShownFailure {
  code: ShownFailureCode;
  message: string;
  guidance: string;
  retryable: boolean;
}

export const UNREACHABLE: Readonly<ShownFailure> = Object.freeze({
  code: 'unreachable',
  message: 'Could not connect to the server.',
  guidance:
    'SprintConnect could not connect to the server, or got no HTTP answer from it in time. Check that the MCP ' +
    "server is running and listening on the URL's host and port, on an interface SprintConnect can reach; " +
    'that the scheme fits the port (https:// for TLS, http:// otherwise); that no firewall or security group ' +
    'drops traffic from SprintConnect; and that it answers within the discovery connect timeout. The exact ' +
    'network error is kept in the SprintConnect server log rather than shown here, so that a URL cannot be used ' +
    'to probe which ports are open: an operator can find it there by this job id.',
  // Every cause retries alike: a different attempt count would tell the causes apart again.
  retryable: true,
});

export function shownToTenant(failure: DiscoveryFailure): ShownFailure {
  if (failure.unanswered) return { ...UNREACHABLE };
  return {
    code: failure.code,
    message: failure.message,
    guidance: failure.guidance,
    retryable: failure.retryable,
  };
}

/**
 * One failed attempt as the operator needs it: the precise cause the tenant may not see. Written to the
 * platform log (discovery.module.ts).
 */
export interface DiscoveryFailureLog {
  orgId: string;
  serverId: string;
  jobId: string;
  attempt: number;
  code: DiscoveryFailureCode;
  message: string;
  stage: string | undefined;
  /** The lowest-level error of an unanswered attempt (`ECONNREFUSED: ...`). */
  wireCause: string | undefined;
  shownAs: ShownFailureCode;
}

/** The failure as shown to the tenant, and as logged for the operator. */
export function reportFailure(
  failure: DiscoveryFailure,
  at: { orgId: string; serverId: string; jobId: string; attempt: number },
): { shown: ShownFailure; log: DiscoveryFailureLog } {
  const shown = shownToTenant(failure);
  return {
    shown,
    log: {
      orgId: at.orgId,
      serverId: at.serverId,
      jobId: at.jobId,
      attempt: at.attempt,
      code: failure.code,
      message: failure.message,
      stage: failure.stage,
      wireCause: failure.wireCause,
      shownAs: shown.code,
    },
  };
}
