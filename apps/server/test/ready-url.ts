import type { ChildProcess } from 'node:child_process';

/**
 * The URL a `sprintconnect start` child prints when it is ready ("ready at http://127.0.0.1:PORT"), with what it
 * printed so far in the error when it exits first or takes longer than `ms`.
 */
export function readyUrl(child: ChildProcess, what: string, ms: number): Promise<string> {
  let output = '';
  return new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} did not start in ${ms / 1000} s:\n${output}`)),
      ms,
    );
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${output}`));
    });
  });
}
