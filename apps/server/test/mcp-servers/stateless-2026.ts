/**
 * Our own server speaking the 2026-07-28 revision statelessly (SDK v2 `createMcpHandler`, one server
 * instance per request, no session). 2025-era traffic is rejected by default, so a client that lists
 * anything here has negotiated 2026-07-28. Every list is longer than one page (page size 2 by default),
 * so a client that ignores `nextCursor` visibly misses items.
 */
import type { Catalog, RunningCatalogServer } from './catalog-server.ts';
import { startCatalogServer } from './catalog-server.ts';
import { runAsMain } from './loopback.ts';

export const STATELESS_2026_PAGE_SIZE = 2;

const TOOL_COUNT = 7;

/** The fixed catalogue this server serves; tests compare discovery results against it. */
export const STATELESS_2026_CATALOG: Catalog = Object.freeze({
  serverInfo: { name: 'sprintconnect-test-stateless-2026', version: '1.0.0' },
  instructions: 'Test server for the 2026-07-28 revision; every list is paginated.',
  tools: Array.from({ length: TOOL_COUNT }, (_, i) => ({
    name: `tool_${String(i + 1).padStart(2, '0')}`,
    title: `Tool ${i + 1}`,
    description: `Test tool number ${i + 1}`,
    inputSchema: {
      type: 'object' as const,
      properties: { value: { type: 'string', description: 'Any text' } },
      required: ['value'],
    },
    ...(i === 0
      ? {
          outputSchema: { type: 'object' as const, properties: { echoed: { type: 'string' } } },
          annotations: { readOnlyHint: true, idempotentHint: true },
        }
      : {}),
  })),
  resources: [
    { uri: 'test://docs/readme', name: 'readme', title: 'Read me', mimeType: 'text/markdown' },
    { uri: 'test://docs/changelog', name: 'changelog', mimeType: 'text/plain' },
    { uri: 'test://docs/license', name: 'license', description: 'License text', mimeType: 'text/plain' },
  ],
  resourceTemplates: [
    { uriTemplate: 'test://items/{id}', name: 'item', mimeType: 'application/json' },
    { uriTemplate: 'test://users/{user}/notes/{note}', name: 'note', description: 'A note' },
    { uriTemplate: 'test://logs/{date}', name: 'log' },
  ],
  prompts: [
    { name: 'summarize', description: 'Summarize text', arguments: [{ name: 'text', required: true }] },
    { name: 'translate', arguments: [{ name: 'text', required: true }, { name: 'language' }] },
    { name: 'greet', title: 'Greeting' },
  ],
});

export function startStateless2026(
  options: { pageSize?: number; legacy?: 'stateless' | 'reject' } = {},
): Promise<RunningCatalogServer> {
  return startCatalogServer(() => STATELESS_2026_CATALOG, {
    pageSize: options.pageSize ?? STATELESS_2026_PAGE_SIZE,
    legacy: options.legacy ?? 'reject',
  });
}

runAsMain(import.meta, () => startStateless2026());
