import type { Job, SprintConnectClient } from '@sprintconnect/sdk';
import type { CommandContext } from '../context.ts';
import { countsFrom, formatCounts } from '../output/counts.ts';
import { createJobProgress } from '../output/job-progress.ts';
import { oneLine, printable } from '../output/sanitize.ts';

export interface FollowOptions {
  json: boolean;
  /** --progress: draw the bar even without a terminal. */
  progress: boolean;
  timeoutSeconds: number;
  /** Show `job` itself first: it is a state just read (`jobs wait`), not the reply that queued it. */
  showInitial?: boolean;
}

/** Waits for a job (discovery or any other kind), showing progress on stderr; returns the finished job. */
export async function followJob(
  ctx: CommandContext,
  client: SprintConnectClient,
  job: Job,
  opts: FollowOptions,
): Promise<Job> {
  const stderr = ctx.deps.stderr;
  const progress = createJobProgress({
    stream: stderr,
    mode: opts.progress || stderr.isTTY === true ? 'bar' : 'lines',
    label: oneLine(job.kind),
  });
  if (opts.showInitial) progress.update(job);
  try {
    return await client.jobs.wait(job.id, {
      onProgress: (j) => progress.update(j),
      intervalMs: ctx.deps.pollIntervalMs ?? 500,
      timeoutMs: opts.timeoutSeconds * 1000,
    });
  } finally {
    progress.finish();
  }
}

/** The outcome of a finished discovery: counts on success; code, message and guidance (exit 1) otherwise. */
export function reportDiscovery(ctx: CommandContext, job: Job, opts: { json: boolean }): void {
  if (job.state === 'succeeded') {
    if (opts.json) return;
    const r = job.result ?? {};
    const counts = countsFrom(r['counts']);
    const version = typeof r['version'] === 'number' ? `capability version ${r['version']}` : 'capabilities';
    const change = r['changed'] === false ? ' (unchanged)' : '';
    ctx.out(`discovered ${version}${change}${counts === undefined ? '' : `: ${formatCounts(counts)}`}`);
    return;
  }
  ctx.setExitCode(1);
  const e = job.error;
  ctx.err(
    `error: discovery ${job.state}${e === null ? '' : `: ${oneLine(e.code)}: ${printable(e.message)}`}`,
  );
  if (e !== null && e.guidance !== '') ctx.err(`guidance: ${printable(e.guidance)}`);
}
