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
    const lines = [`error: ${oneLine(e.title)}: ${printable(e.detail)}`];
    for (const f of e.errors) lines.push(`  - ${f.location} ${oneLine(f.pointer)}: ${oneLine(f.detail)}`);
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
