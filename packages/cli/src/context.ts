import type { SprintConnectClient } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { Env } from './config.ts';

export type OutStream = NodeJS.WritableStream & { isTTY?: boolean };

export type StartServer = (opts: {
  env: Record<string, string | undefined>;
  print: (line: string) => void;
}) => Promise<{ url: string; stop: () => Promise<void> }>;

export type CreateAdminKey = (opts: {
  env: Record<string, string | undefined>;
  org: string | undefined;
  name: string | undefined;
  log: (line: string) => void;
}) => Promise<{
  id: string;
  name: string;
  token: string;
  org: { id: string; slug: string };
  via: string;
}>;

/** Everything the CLI touches outside itself, handed in by main.ts (and by tests). */
export interface CliDeps {
  env: Env;
  stdout: OutStream;
  stderr: OutStream;
  fetch?: typeof fetch;
  /** Loads and starts the server; main.ts imports @sprintconnect/server only when `start` runs. */
  startServer: StartServer;
  /** `admin create-key`: opens the database directly; main.ts imports @sprintconnect/server only then. */
  createAdminKey: CreateAdminKey;
  /** Pause between polls of a job with --wait (default 500 ms). */
  pollIntervalMs?: number;
  /** The operating system, for `login` to tell whether a local browser can be there (default: this one). */
  platform?: NodeJS.Platform;
  /** Opens a URL in the user's browser (`login --open`); main.ts supplies it. */
  openBrowser?: (url: string) => Promise<void>;
  /** Calls `handler` on each SIGINT/SIGTERM. */
  onShutdownSignal: (handler: (signal: string) => void) => void;
}

/** What a command's action gets: the client for the chosen server, output, and the exit code to end with. */
export interface CommandContext {
  readonly deps: CliDeps;
  client(cmd: Command): SprintConnectClient;
  /** A line on stdout. */
  out(text: string): void;
  /** A line on stderr. */
  err(text: string): void;
  /** The API's JSON on stdout, the whole of a `--json` command's output. */
  json(value: unknown): void;
  setExitCode(code: number): void;
}
