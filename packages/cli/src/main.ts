#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { readProcessEnv } from './config.ts';
import { run } from './run.ts';

// The composition root of the `sprintconnect` command: the process's streams, environment and signals go in
// here and nowhere else.
const code = await run(process.argv.slice(2), {
  env: readProcessEnv(),
  stdout: process.stdout,
  stderr: process.stderr,
  startServer: async (opts) => {
    // Imported only for `start`, so client commands do not load the server and its database drivers.
    const { start } = await import('@sprintconnect/server');
    return start(opts);
  },
  createAdminKey: async (opts) => {
    const { createAdminKey } = await import('@sprintconnect/server');
    return createAdminKey(opts);
  },
  openBrowser: (url) =>
    new Promise((resolve, reject) => {
      const [cmd, ...args] =
        process.platform === 'darwin'
          ? ['open', url]
          : process.platform === 'win32'
            ? ['rundll32', 'url.dll,FileProtocolHandler', url]
            : ['xdg-open', url];
      const child = spawn(cmd!, args, { stdio: 'ignore', detached: true });
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    }),
  onShutdownSignal: (handler) => {
    process.on('SIGINT', () => handler('SIGINT'));
    process.on('SIGTERM', () => handler('SIGTERM'));
  },
});

// Exit once stdout and stderr have drained, so piped JSON is never cut short and idle keep-alive sockets or
// a server that did not close every handle cannot hold the process open.
await Promise.all([process.stdout, process.stderr].map((s) => new Promise((r) => s.write('', r))));
process.exit(code);
