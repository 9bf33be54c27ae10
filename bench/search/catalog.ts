import type pg from 'pg';

/**
 * A synthetic capability catalog for the search benchmark and the index test, seeded with INSERT ... SELECT
 * over generate_series so that 250k capabilities load in seconds.
 *
 * Its shape imitates a large organisation's MCP fleet rather than flattering the index:
 * - server i works in two of 100 domains (`weather`, `calendar`...): domain i % 100 and another one, so a
 *   domain's word is on ~2% of the servers, and a given pair of domains on ~0.02%;
 * - 5 tools per domain, in mixed naming styles: `get_current_weather`, `list_weather_items`,
 *   `createWeatherItem`, `search-weather`, `weather.sync`;
 * - the rest are generic `{verb}_{object}` tools (12 verbs x 60 objects), each on ~2% of the servers, with
 *   descriptions that share words (`the`, `a`, `can`...) across the whole catalog;
 * - environments rotate; tags are `team-{i % 20}`, plus `public` on every 4th server.
 * Ids derive from i (md5-based UUIDs), so a caller can address server i without a lookup.
 */
export const DOMAINS = (
  'weather calendar email github gitlab slack jira stripe salesforce hubspot zendesk notion confluence ' +
  'figma linear asana trello dropbox drive sheets postgres mysql redis kafka elastic snowflake bigquery ' +
  'datadog sentry pagerduty kubernetes docker terraform vault okta auth0 twilio sendgrid mailchimp ' +
  'shopify paypal quickbooks xero netsuite workday greenhouse lever intercom freshdesk airtable monday ' +
  'clickup miro zoom teams discord telegram whatsapp spotify youtube twitter linkedin reddit medium ' +
  'wordpress contentful sanity algolia mapbox geocoding translation speech vision ocr pdf spreadsheet ' +
  'invoice payroll expense travel flights hotels maps traffic stocks crypto news sports recipes fitness ' +
  'music podcast books movies games education health insurance legal compliance'
).split(' ');

const VERBS = 'get list create update delete find export import archive restore count watch'.split(' ');
const OBJECTS = (
  'file folder user group record message thread channel issue comment document page table row column ' +
  'report dashboard alert incident ticket contact account lead deal order product customer subscription ' +
  'payment refund event meeting task project milestone release branch commit build deployment secret ' +
  'token key role permission policy log metric trace span image video audio note bookmark tag label ' +
  'webhook schedule backup'
).split(' ');

export interface CatalogSize {
  servers: number;
  /** Per server: the two domains' 10 tools, plus up to 60 generic ones. */
  capabilitiesPerServer: number;
}

const capitalize = (w: string) => w[0]!.toUpperCase() + w.slice(1);

/** Template n (1-based) of the SQL below: domain d (0-based) has 5d+1..5d+5, then verb x object. */
function templates(): { name: string; description: string }[] {
  const out: { name: string; description: string }[] = [];
  for (const d of DOMAINS) {
    out.push(
      { name: `get_current_${d}`, description: `Get the current ${d} status for an account or place.` },
      { name: `list_${d}_items`, description: `List ${d} items, newest first.` },
      { name: `create${capitalize(d)}Item`, description: `Create a ${d} item from a JSON body.` },
      { name: `search-${d}`, description: `Full-text search over ${d} records.` },
      { name: `${d}.sync`, description: `Synchronise ${d} data with the upstream service.` },
    );
  }
  for (const v of VERBS) {
    for (const o of OBJECTS) {
      out.push({ name: `${v}_${o}`, description: `${capitalize(v)} a ${o} the caller can see.` });
    }
  }
  return out;
}

/** Server i's two domains (indexes into DOMAINS), as the seeder assigns them. */
export const domainsOf = (i: number): [number, number] => [
  i % 100,
  ((i % 100) + 1 + (Math.floor(i / 100) % 99)) % 100,
];

const serverId = (i: string) => `md5('sc-seed-server-' || ${i})::uuid`;
const versionId = (i: string) => `md5('sc-seed-version-' || ${i})::uuid`;

/**
 * Seeds `size` into org `orgId` (created if missing) through an owner connection, in one transaction with the
 * tenant set (RLS is forced even for the owner). `words` is the application's own name splitter, so
 * `name_words` holds what indexing would store; the vocabulary and each server's words are filled as
 * capabilities.repo.ts fills them.
 */
export async function seedCatalog(
  admin: pg.Pool,
  orgId: string,
  size: CatalogSize,
  words: (name: string) => string[],
): Promise<void> {
  const generic = size.capabilitiesPerServer - 10;
  if (generic < 0 || generic > OBJECTS.length) throw new Error('capabilitiesPerServer must be within 10..70');
  const tpl = templates();
  const c = await admin.connect();
  try {
    await c.query('BEGIN');
    await c.query(`SELECT set_config('app.org_id', $1, true)`, [orgId]);
    await c.query(
      `INSERT INTO orgs (id, slug, name)
       VALUES ($1::uuid, 'bench-' || left(md5($1::text), 12), 'Benchmark org')
       ON CONFLICT (id) DO NOTHING`,
      [orgId],
    );
    await c.query(
      `INSERT INTO servers (org_id, id, name, url, transport, environment, tags, description, auth_type,
                            status, current_version_id, last_discovered_at, created_by)
       SELECT $1, ${serverId('i')}, 'server-' || i, 'https://mcp' || i || '.example.com/mcp',
              'streamable-http', (ARRAY['development', 'staging', 'production'])[1 + i % 3],
              CASE WHEN i % 4 = 0 THEN ARRAY['team-' || i % 20, 'public'] ELSE ARRAY['team-' || i % 20] END,
              'Seeded server ' || i, 'none', 'active', ${versionId('i')}, now(), 'system:seed'
       FROM generate_series(1, $2::int) i`,
      [orgId, size.servers],
    );
    await c.query(
      `INSERT INTO capability_versions (org_id, id, server_id, version, content_hash, protocol_version,
                                        snapshot, counts)
       SELECT $1, ${versionId('i')}, ${serverId('i')}, 1, md5('h' || i), '2025-06-18', '{}',
              jsonb_build_object('tools', $3::int, 'resources', 0, 'resourceTemplates', 0, 'prompts', 0)
       FROM generate_series(1, $2::int) i`,
      [orgId, size.servers, size.capabilitiesPerServer],
    );
    await c.query(
      `WITH tpl AS (
         SELECT *
         FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(name, words, description, n)
       ),
       picks AS (
         SELECT i, 5 * dom + k AS n
         FROM generate_series(1, $2::int) i,
              LATERAL (VALUES (i % 100), ((i % 100 + 1 + (i / 100) % 99) % 100)) s(dom),
              generate_series(1, 5) k
         UNION ALL
         SELECT i, 501 + ((i / 60 + j * 5) % 12) * 60 + (i * 7 + j * 13) % 60
         FROM generate_series(1, $2::int) i, generate_series(0, $6::int - 1) j
       )
       INSERT INTO capabilities (org_id, server_id, kind, name, version_id, version, description,
                                 name_words, search_text, definition)
       SELECT $1, ${serverId('p.i')}, 'tool', t.name, ${versionId('p.i')}, 1, t.description,
              string_to_array(t.words, ' '), lower(t.name || ' ' || t.description),
              jsonb_build_object('name', t.name, 'description', t.description, 'inputSchema',
                jsonb_build_object('type', 'object', 'properties',
                  jsonb_build_object('id', jsonb_build_object('type', 'string'),
                                     'limit', jsonb_build_object('type', 'integer', 'maximum', 100))))
       FROM picks p JOIN tpl t ON t.n = p.n`,
      [
        orgId,
        size.servers,
        tpl.map((t) => t.name),
        tpl.map((t) => words(t.name).join(' ')),
        tpl.map((t) => t.description),
        generic,
      ],
    );
    await c.query(
      `INSERT INTO capability_vocabulary (org_id, word)
       SELECT DISTINCT c.org_id, u.w
       FROM capabilities c, unnest(capability_words(c.name_words, c.description)) AS u(w)
       WHERE c.org_id = $1
       ORDER BY 1, 2
       ON CONFLICT DO NOTHING`,
      [orgId],
    );
    await c.query(
      `INSERT INTO server_search_words (org_id, server_id, word, named)
       SELECT c.org_id, c.server_id, u.w, bool_or(u.w = ANY (c.name_words))
       FROM capabilities c, unnest(capability_words(c.name_words, c.description)) AS u(w)
       WHERE c.org_id = $1
       GROUP BY 1, 2, 3`,
      [orgId],
    );
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
  // What autovacuum would do soon after: fresh statistics, and no vacuum competing with a measurement.
  await admin.query(
    'VACUUM (ANALYZE) servers, capability_versions, capabilities, capability_vocabulary, server_search_words',
  );
}
