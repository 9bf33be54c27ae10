import type { Job } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption, waitOptions } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import { stageOf } from '../output/job-progress.ts';
import { printable } from '../output/sanitize.ts';
import { followJob } from './follow-job.ts';

export function describeJob(j: Job): string {
  const e = j.error;
  return formatFields([
    ['ID', j.id],
    ['Kind', j.kind],
    ['Subject', `${j.subject.type} ${j.subject.id}`],
    ['State', stageOf(j)],
    ['Progress', `${j.progress.done}/${j.progress.total} (${Math.floor(j.progress.percent)}%)`],
    ['Attempts', `${j.attempts} of ${j.maxAttempts}`],
    ['Error', e === null ? null : `${e.code}: ${e.message}`],
    ['Guidance', e === null || e.guidance === '' ? null : e.guidance],
    ['Created', j.createdAt],
    ['Started', j.startedAt],
    ['Finished', j.finishedAt],
    ['ETA', j.estimatedCompletionAt],
    ['Next attempt', j.nextAttemptAt],
  ]);
}

/** Exit 1 for a job that did not succeed, with its error; the same for `show` and `wait`. */
function reportOutcome(ctx: CommandContext, j: Job): void {
  if (j.state !== 'failed' && j.state !== 'cancelled') return;
  ctx.setExitCode(1);
  if (j.error !== null)
    ctx.err(`error: ${j.kind} ${j.state}: ${j.error.code}: ${printable(j.error.message)}`);
  else ctx.err(`error: ${j.kind} ${j.state}`);
}

/** `jobs`: background jobs (GET /v1/jobs/{id}): one look, or follow it with a progress bar until it ends. */
export function jobsCommand(program: Command, ctx: CommandContext): void {
  const jobs = program.command('jobs').description('background jobs: state, progress, errors');
  jobs
    .command('show')
    .description('a job as it is now')
    .argument('<id>', 'job id')
    .addOption(jsonOption())
    .action(async (id: string, flags: { json?: boolean }, self: Command) => {
      const job = await ctx.client(self).jobs.get(id);
      if (flags.json) ctx.json(job);
      else ctx.out(describeJob(job));
      reportOutcome(ctx, job);
    });

  const wait = jobs
    .command('wait')
    .description('follow a job until it finishes; exit 1 if it fails')
    .argument('<id>', 'job id')
    .addOption(jsonOption('print the finished job as JSON on stdout'));
  // --wait is what this command does; the progress and timeout options are shared with the --wait commands.
  for (const o of waitOptions().slice(1)) wait.addOption(o);
  wait.action(
    async (id: string, flags: { json?: boolean; progress?: boolean; timeout: number }, self: Command) => {
      const client = ctx.client(self);
      const done = await followJob(ctx, client, await client.jobs.get(id), {
        json: flags.json === true,
        progress: flags.progress === true,
        timeoutSeconds: flags.timeout,
        showInitial: true,
      });
      if (flags.json) ctx.json(done);
      else ctx.out(describeJob(done));
      reportOutcome(ctx, done);
    },
  );
}
