import cliProgress from 'cli-progress';
import type { OutStream } from '../context.ts';
import { oneLine } from './sanitize.ts';

/** One MCP progress notification (MCP spec, basic/utilities/progress): `total` and `message` are optional. */
export interface ToolProgressEvent {
  readonly progress: number;
  readonly total?: number | undefined;
  readonly message?: string | undefined;
}

export interface ToolProgress {
  update(p: ToolProgressEvent): void;
  finish(): void;
}

/**
 * Shows a tool call's progress on stderr: a bar on a terminal once the server names a total, else one line per
 * notification (a pipe or a log keeps every step, and a total-less progress has no percent to draw).
 */
export function createToolProgress(opts: {
  stream: OutStream;
  mode: 'bar' | 'lines';
  label: string;
}): ToolProgress {
  let bar: cliProgress.SingleBar | undefined;
  const label = oneLine(opts.label);
  return {
    update(p) {
      const message = p.message === undefined ? '' : oneLine(p.message);
      if (opts.mode === 'bar' && p.total !== undefined && p.total > 0) {
        if (bar === undefined) {
          bar = new cliProgress.SingleBar(
            {
              stream: opts.stream,
              format: `${label} [{bar}] {value}/{total} {message}`,
              barsize: 30,
              noTTYOutput: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.total, p.progress, { message });
        } else bar.update(p.progress, { message });
        return;
      }
      const of = p.total === undefined ? '' : `/${p.total}`;
      opts.stream.write(`${label}: ${p.progress}${of}${message === '' ? '' : ` ${message}`}\n`);
    },
    finish() {
      bar?.stop();
    },
  };
}
