import type { FieldError } from '@sprintconnect/sdk';
import { JobWaitTimeoutError, SprintConnectConnectionError, SprintConnectError } from '@sprintconnect/sdk';
import { UsageError } from '../usage-error.ts';
import { oneLine, printable } from './sanitize.ts';

export interface ErrorReport {
  lines: string[];
  exitCode: number;
}

/** How a failure reads on stderr, and the exit code it ends with: 2 for a bad command line, else 1. */
export function describeError(e: unknown): ErrorReport {
  if (e instanceof UsageError) return { lines: [`error: ${e.message}`], exitCode: 2 };
  if (e instanceof SprintConnectError) {
    // The stable code is what scripts and docs/errors.md key on; the title and detail are for people.
    const lines = [`error: ${oneLine(e.title)} (${oneLine(e.code)}): ${printable(e.detail)}`];
    for (const f of e.errors) lines.push(`  - ${describeField(f)}`);
    const required = e.problem.required;
    if (e.status === 403 && typeof required === 'string') lines.push(`hint: this needs ${oneLine(required)}`);
    if (e.code === 'step_up_required') lines.push('hint: sign in again (`sprintconnect login`), then retry');
    if (e.status === 401)
      lines.push('hint: check SPRINTCONNECT_API_KEY (or --api-key), or run `sprintconnect login` again');
    return { lines, exitCode: 1 };
  }
  if (e instanceof SprintConnectConnectionError) {
    return {
      lines: [
        `error: ${e.message}`,
        'hint: is it running (`sprintconnect start`)? Point elsewhere with SPRINTCONNECT_URL',
      ],
      exitCode: 1,
    };
  }
  if (e instanceof JobWaitTimeoutError) return { lines: [`error: ${e.message}`], exitCode: 1 };
  return { lines: [`error: ${e instanceof Error ? e.message : String(e)}`], exitCode: 1 };
}

/** `body /policy: detail`, with where in a Cedar policy the problem is (`policy_invalid`). */
function describeField(f: FieldError): string {
  const at = [
    f.policy === undefined ? null : `policy ${oneLine(f.policy)}`,
    f.line === undefined ? null : `line ${f.line}`,
    f.column === undefined ? null : `column ${f.column}`,
  ].filter((x) => x !== null);
  const where = at.length === 0 ? '' : ` (${at.join(', ')})`;
  return `${f.location} ${oneLine(f.pointer)}: ${oneLine(f.detail)}${where}`;
}
