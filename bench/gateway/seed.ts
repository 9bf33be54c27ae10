import type pg from 'pg';

/**
 * An org with `servers` registered servers of `tools` tools each, as discovery would have stored them (a current
 * capability version whose snapshot lists the tools), written with INSERT ... SELECT like the search bench's
 * catalog. Tools are named `even_<k>` and `odd_<k>`, so a policy on the name prefix hides about half.
 */
export async function seedGatewayOrg(
  admin: pg.Pool,
  orgId: string,
  size: { servers: number; tools: number },
  policies: Record<string, string>,
): Promise<void> {
  const c = await admin.connect();
  try {
    await c.query('BEGIN');
    await c.query(`SELECT set_config('app.org_id', $1, true)`, [orgId]);
    await c.query(
      `INSERT INTO orgs (id, slug, name) VALUES ($1::uuid, 'bench-' || left(md5($1::text), 12), 'Gateway bench org')`,
      [orgId],
    );
    await c.query(
      `INSERT INTO servers (org_id, id, name, url, transport, environment, tags, description, auth_type,
                            status, current_version_id, last_discovered_at, created_by)
       SELECT $1::uuid, md5($1::text || 'server' || i)::uuid, 'seeded-' || i, 'https://mcp' || i || '.example.com/mcp',
              'streamable-http', 'production', ARRAY['team-' || i % 10], 'Seeded server ' || i, 'none',
              'active', md5($1::text || 'version' || i)::uuid, now(), 'system:seed'
       FROM generate_series(1, $2::int) i`,
      [orgId, size.servers],
    );
    await c.query(
      `INSERT INTO capability_versions (org_id, id, server_id, version, content_hash, protocol_version,
                                        snapshot, counts)
       SELECT $1::uuid, md5($1::text || 'version' || i)::uuid, md5($1::text || 'server' || i)::uuid, 1, md5('h' || i),
              '2025-06-18',
              jsonb_build_object('tools', (
                SELECT jsonb_agg(jsonb_build_object(
                  'name', CASE WHEN k % 2 = 0 THEN 'even_' ELSE 'odd_' END || k,
                  'description', 'Seeded tool ' || k || ' of server ' || i,
                  'inputSchema', jsonb_build_object('type', 'object', 'properties',
                    jsonb_build_object('id', jsonb_build_object('type', 'string'))),
                  'annotations', jsonb_build_object('readOnlyHint', k % 3 = 0)))
                FROM generate_series(0, $3::int - 1) k)),
              jsonb_build_object('tools', $3::int, 'resources', 0, 'resourceTemplates', 0, 'prompts', 0)
       FROM generate_series(1, $2::int) i`,
      [orgId, size.servers, size.tools],
    );
    for (const [name, body] of Object.entries(policies)) {
      await c.query('INSERT INTO policies (org_id, id, name, body) VALUES ($1, gen_random_uuid(), $2, $3)', [
        orgId,
        name,
        body,
      ]);
    }
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK');
    throw e;
  } finally {
    c.release();
  }
}
