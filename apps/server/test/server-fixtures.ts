import { uuidv7 } from '../src/kernel/index.ts';
import { withTenant } from '../src/platform/db/index.ts';
import type { TestApp } from './harness.ts';

/**
 * Tests only: a registered server whose newest capability version offers `tools`, written as discovery would
 * store it (the registry's tables, through the owner connection), without running a discovery.
 */
export async function serverWithTools(
  t: TestApp,
  orgId: string,
  name: string,
  tools: readonly string[] | null,
  tags: readonly string[] = [],
): Promise<string> {
  const id = uuidv7();
  await withTenant(t.database.adminDb, orgId, async (tx) => {
    await tx
      .insertInto('servers')
      .values({
        ...{ org_id: orgId, id, name, url: `https://${id}.example/mcp`, transport: 'streamable-http' },
        ...{ environment: 'development', tags: [...tags], description: '', auto_discover: false },
        ...{ auth_type: 'none', auth_header_name: null, auth_secret: null, created_by: 'system:test' },
        status: tools === null ? 'pending_discovery' : 'active',
      })
      .execute();
  });
  if (tools !== null) await newToolsVersion(t, orgId, id, tools);
  return id;
}

/** A rediscovery that found `tools`: the server's next capability version. */
export async function newToolsVersion(
  t: TestApp,
  orgId: string,
  serverId: string,
  tools: readonly string[],
): Promise<void> {
  await withTenant(t.database.adminDb, orgId, async (tx) => {
    const last = await tx
      .selectFrom('capability_versions')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('server_id', '=', serverId)
      .executeTakeFirst();
    const versionId = uuidv7();
    const snapshot = {
      serverInfo: { name: 'fixture', version: '1' },
      serverCapabilities: { tools: {} },
      tools: tools.map((name) => ({
        name,
        description: `${name} upstream`,
        inputSchema: { type: 'object' },
      })),
      resources: [],
      resourceTemplates: [],
      prompts: [],
    };
    await tx
      .insertInto('capability_versions')
      .values({
        ...{ org_id: orgId, id: versionId, server_id: serverId, version: Number(last?.v ?? 0) + 1 },
        ...{ content_hash: versionId, protocol_version: '2025-06-18', snapshot: JSON.stringify(snapshot) },
        counts: JSON.stringify({ tools: tools.length, resources: 0, resourceTemplates: 0, prompts: 0 }),
      })
      .execute();
    await tx
      .updateTable('servers')
      .set({ current_version_id: versionId })
      .where('id', '=', serverId)
      .execute();
  });
}
