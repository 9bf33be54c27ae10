/**
 * A server whose tool list a test changes at runtime (`setTools`), for capability-versioning and diff
 * tests. Each request builds a fresh server instance from the current list (stateless serving), so the
 * next discovery sees the change; `notifications/tools/list_changed` is not needed for that.
 */
import type { Tool } from '@modelcontextprotocol/server';
import type { RunningCatalogServer } from './catalog-server.ts';
import { startCatalogServer } from './catalog-server.ts';
import { runAsMain } from './loopback.ts';

export interface RunningMutableServer extends RunningCatalogServer {
  setTools(tools: readonly Tool[]): void;
  getTools(): readonly Tool[];
}

export async function startMutable(
  initialTools: readonly Tool[] = [],
  options: { pageSize?: number } = {},
): Promise<RunningMutableServer> {
  let tools: Tool[] = structuredClone([...initialTools]);
  const running = await startCatalogServer(
    () => ({ serverInfo: { name: 'sprintconnect-test-mutable', version: '1.0.0' }, tools }),
    { pageSize: options.pageSize ?? 50 },
  );
  return {
    ...running,
    close: () => running.close(),
    setTools: (next) => {
      // A copy, so later mutation of the caller's array cannot change what the server serves.
      tools = structuredClone([...next]);
    },
    getTools: () => tools,
  };
}

runAsMain(import.meta, () => startMutable([{ name: 'echo', inputSchema: { type: 'object' } }]));
