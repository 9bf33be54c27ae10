import type { Job } from '@sprintconnect/sdk';
import cliProgress from 'cli-progress';
import type { OutStream } from '../context.ts';
import { oneLine } from './sanitize.ts';

export interface JobProgress {
  update(job: Job): void;
  finish(): void;
}

export interface JobProgressOptions {
  stream: OutStream;
  /** `bar` redraws one line (a terminal); `lines` prints a line per stage change (logs, pipes). */
  mode: 'bar' | 'lines';
  label: string;
  now?: () => number;
}

/** Shows a job's stage, percent and ETA while a command waits for it. */
export function createJobProgress(opts: JobProgressOptions): JobProgress {
  return opts.mode === 'bar' ? barProgress(opts) : lineProgress(opts);
}

function lineProgress(opts: JobProgressOptions): JobProgress {
  let last = '';
  return {
    update(job) {
      const stage = stageOf(job);
      if (stage === last) return;
      last = stage;
      const final = job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled';
      opts.stream.write(`${opts.label}: ${stage}${final ? '' : ` (${Math.floor(job.progress.percent)}%)`}\n`);
    },
    finish() {},
  };
}

function barProgress(opts: JobProgressOptions): JobProgress {
  const now = opts.now ?? Date.now;
  const bar = new cliProgress.SingleBar(
    {
      stream: opts.stream,
      format: `${opts.label} [{bar}] {percentage}% | {stage} | ETA {eta_job}`,
      barsize: 30,
      // Drawn even when stderr is not a terminal if the user forced it with --progress.
      noTTYOutput: true,
      notTTYSchedule: 1000,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(job) {
      const payload = { stage: stageOf(job), eta_job: etaOf(job, now()) };
      const value = Math.floor(job.progress.percent);
      if (!started) {
        started = true;
        bar.start(100, value, payload);
      } else {
        bar.update(value, payload);
      }
    },
    finish() {
      if (started) bar.stop();
    },
  };
}

export function stageOf(job: Job): string {
  switch (job.state) {
    case 'queued':
      return 'queued';
    case 'running':
      return job.stage === null ? 'running' : oneLine(job.stage);
    case 'retrying':
      return `retrying after ${oneLine(job.error?.code ?? 'an error')} (attempt ${job.attempts} of ${job.maxAttempts})`;
    default:
      return job.state;
  }
}

/** Time left by the server's estimate (`estimatedCompletionAt`), which knows recent runs; `--` when unknown. */
export function etaOf(job: Job, nowMs: number): string {
  if (job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled') return '0s';
  if (job.estimatedCompletionAt === null) return '--';
  const s = Math.max(0, Math.ceil((Date.parse(job.estimatedCompletionAt) - nowMs) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
