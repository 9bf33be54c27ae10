/**
 * A catalogue server that records the headers of every HTTP request it receives, so a test can show what an
 * MCP client (the gateway) sent upstream, e.g. that no caller token ever reaches a registered server (issue 11
 * point 11). Serves both eras statelessly; its tools answer `called <name>`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Catalog, RunningCatalogServer } from './catalog-server.ts';
import { startCatalogServer } from './catalog-server.ts';
import { runAsMain } from './loopback.ts';

export const HEADER_RECORDER_CATALOG: Catalog = Object.freeze({
  serverInfo: { name: 'sprintconnect-test-header-recorder', version: '1.0.0' },
  tools: [
    {
      name: 'read_file',
      description: 'Reads a file (answers `called read_file`)',
      inputSchema: { type: 'object' as const, properties: { path: { type: 'string' } } },
    },
    {
      name: 'delete_file',
      description: 'Deletes a file (answers `called delete_file`)',
      inputSchema: { type: 'object' as const, properties: { path: { type: 'string' } } },
      annotations: { destructiveHint: true },
    },
  ],
  resources: [{ uri: 'recorder://notes/today', name: 'today', mimeType: 'text/plain' }],
  prompts: [{ name: 'review', description: 'Review something' }],
});

export interface RunningHeaderRecorder extends RunningCatalogServer {
  /** Headers of every request so far, in arrival order. */
  readonly headers: readonly IncomingHttpHeaders[];
}

export async function startHeaderRecorder(
  options: { legacy?: 'stateless' | 'reject' } = {},
): Promise<RunningHeaderRecorder> {
  const headers: IncomingHttpHeaders[] = [];
  const running = await startCatalogServer(() => HEADER_RECORDER_CATALOG, {
    legacy: options.legacy ?? 'stateless',
    onRequest: (req) => headers.push({ ...req.headers }),
  });
  return { ...running, headers };
}

runAsMain(import.meta, () => startHeaderRecorder());
