import type { Mountable } from './http/index.ts';
import type { McpTool } from './modules/authz/index.ts';
import type { JobKind, ScheduledJob } from './platform/jobs/index.ts';

/**
 * What a module's factory returns besides the services other modules use (ADR 0028): the parts the composition
 * root mounts, each optional. HTTP parts (routes, public routes, authenticators, request hooks) go to the HTTP
 * adapter; job kinds to the job runner; schedules to the jobs module; MCP tools to the gateway; `close` runs at
 * stop, last built first.
 */
export type ModuleParts = Mountable & {
  /** The module's folder name under modules/ (in messages about its parts). */
  readonly name: string;
  /** Job kinds with their queue, retry and timeout settings, registered with the job runner. */
  readonly jobKinds?: readonly JobKind<unknown>[] | undefined;
  /** Cron jobs: sent by the scheduler role, run by workers, runnable over HTTP with CRON_SECRET. */
  readonly schedules?: readonly ScheduledJob[] | undefined;
  /** Platform tools offered on the gateway's `/mcp` beside the proxied ones (issue 11 point 7, ADR 0045). */
  readonly mcpTools?: readonly McpTool[] | undefined;
  close?(): Promise<void>;
};
