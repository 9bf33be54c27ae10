import { describe, expect, it } from 'vitest';
import type { DiscoveryFailure } from './mcp/index.ts';
import { reportFailure, shownToTenant, UNREACHABLE } from './shown-failure.ts';

const failure = (over: Partial<DiscoveryFailure>): DiscoveryFailure => ({
  code: 'unknown',
  message: 'x',
  guidance: 'g',
  retryable: true,
  unanswered: false,
  ...over,
});

describe('what the tenant is shown of a failed discovery', () => {
  it('shows every unanswered failure as the same unreachable, retryable alike', () => {
    const shown = [
      failure({ code: 'connection_refused', message: '10.0.0.5:6379 refused the connection (ECONNREFUSED)' }),
      failure({ code: 'timeout', message: '10.0.0.5:6380: connect took longer than 10000 ms' }),
      failure({ code: 'protocol_error', message: '10.0.0.5:5432: fetch failed', retryable: false }),
      failure({ code: 'tls_error', message: 'TLS with 10.0.0.5:2375 failed (EPROTO)', retryable: false }),
    ].map((f) => shownToTenant({ ...f, unanswered: true }));
    for (const s of shown) expect(s).toEqual(UNREACHABLE);
    expect(UNREACHABLE).toMatchObject({ code: 'unreachable', retryable: true });
  });

  it('shows an answered failure as classified', () => {
    const f = failure({
      code: 'not_mcp',
      message: 'answered HTTP 404',
      guidance: 'point at /mcp',
      retryable: false,
    });
    expect(shownToTenant(f)).toEqual({
      code: 'not_mcp',
      message: 'answered HTTP 404',
      guidance: 'point at /mcp',
      retryable: false,
    });
  });

  it('logs the precise failure next to what was shown', () => {
    const f = failure({
      code: 'connection_refused',
      message: '10.0.0.5:6379 refused the connection',
      stage: 'connect',
      unanswered: true,
      wireCause: 'ECONNREFUSED: connect ECONNREFUSED 10.0.0.5:6379',
    });
    const { shown, log } = reportFailure(f, { orgId: 'o', serverId: 's', jobId: 'j', attempt: 2 });
    expect(shown.code).toBe('unreachable');
    expect(log).toEqual({
      orgId: 'o',
      serverId: 's',
      jobId: 'j',
      attempt: 2,
      code: 'connection_refused',
      message: '10.0.0.5:6379 refused the connection',
      stage: 'connect',
      wireCause: 'ECONNREFUSED: connect ECONNREFUSED 10.0.0.5:6379',
      shownAs: 'unreachable',
    });
  });
});
