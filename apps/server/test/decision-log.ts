/**
 * Tests only: the app's log lines, kept in memory (pass `stream` as `http.logStream` with LOG_LEVEL=info), and
 * the policy decisions logged while serving one request (matched by the request id the response carries).
 */
export interface DecisionLine {
  readonly decisionId: string;
  readonly policySetVersion: string | null;
  readonly inputHash: string | null;
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
  readonly reasons: readonly string[];
  readonly errors: readonly string[];
  readonly obligations: { readonly redact: readonly string[]; readonly throttle?: string };
  readonly latencyMs: number;
  readonly dryRun?: boolean;
}

export interface CapturedLog {
  readonly stream: { write(line: string): void };
  readonly lines: Record<string, unknown>[];
  decisionsFor(requestId: string): DecisionLine[];
}

export function captureLog(): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  return {
    stream: {
      write(line: string) {
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a JSON line: not ours to read
        }
      },
    },
    lines,
    decisionsFor: (requestId) =>
      lines
        .filter((l) => l.reqId === requestId && l.policyDecision !== undefined)
        .map((l) => l.policyDecision as DecisionLine),
  };
}
