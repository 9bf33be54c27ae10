import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { uuidv7 } from '../../kernel/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { replaceServerCapabilities as indexCapabilities } from './capabilities.repo.ts';
import type { IndexItem } from './index-item.ts';

let t: TestApp;
let other: Awaited<ReturnType<TestApp['newOrg']>>;

interface Seed {
  name: string;
  environment?: 'development' | 'staging' | 'production';
  tags?: string[];
  version?: number;
  tools: [name: string, description?: string][];
}

const tool = ([name, description = '']: [string, string?]): IndexItem => ({
  kind: 'tool',
  name,
  description,
  definition: {
    name,
    description,
    inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
  },
});

/** A discovered server: its row and version through the owner, its index through the module's own indexer. */
async function addServer(orgId: string, s: Seed): Promise<string> {
  const id = uuidv7();
  const versionId = uuidv7();
  await withTenant(t.database.adminDb, orgId, async (tx) => {
    await tx
      .insertInto('servers')
      .values({
        org_id: orgId,
        id,
        name: s.name,
        url: `https://${s.name}.example/mcp`,
        transport: 'streamable-http',
        environment: s.environment ?? 'production',
        tags: s.tags ?? [],
        description: `${s.name} server`,
        auto_discover: false,
        auth_type: 'none',
        auth_header_name: null,
        auth_secret: null,
        status: 'active',
        current_version_id: versionId,
        created_by: 'system:test',
      })
      .execute();
    await tx
      .insertInto('capability_versions')
      .values({
        org_id: orgId,
        id: versionId,
        server_id: id,
        version: s.version ?? 1,
        content_hash: versionId,
        protocol_version: '2025-06-18',
        snapshot: '{}',
        counts: JSON.stringify({ tools: s.tools.length, resources: 0, resourceTemplates: 0, prompts: 0 }),
      })
      .execute();
  });
  await withTenant(t.database.db, orgId, (tx) =>
    indexCapabilities(tx, {
      orgId,
      serverId: id,
      versionId,
      version: s.version ?? 1,
      items: s.tools.map(tool),
    }),
  );
  return id;
}

const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  other = await t.newOrg('other-org');
  const seeds: Seed[] = [
    {
      name: 'weather-prod',
      tags: ['public', 'external'],
      version: 3,
      tools: [
        ['get_current_weather', 'Current conditions for a city'],
        ['get_weather_forecast', 'Forecast for the next days'],
      ],
    },
    {
      name: 'weatherman',
      environment: 'development',
      tags: ['public'],
      tools: [['weatherman', 'A game show host']],
    },
    {
      name: 'calendar-weather',
      environment: 'staging',
      tags: ['public', 'external', 'internal'],
      tools: [
        ['getCurrentWeather', 'Weather now'],
        ['list_calendar_events', 'Events in a range'],
      ],
    },
    {
      name: 'calendar-only',
      tags: ['external'],
      tools: [['create_calendar_event'], ['sendEmail', 'Send an email']],
    },
    { name: 'notes', tools: [['take_note', 'Save a note about the weather today']] },
  ];
  for (const s of seeds) ids[s.name] = await addServer(t.orgId, s);
  ids['other-weather'] = await addServer(other.orgId, {
    name: 'other-weather',
    tools: [['get_current_weather']],
  });
});
afterAll(() => t?.stop());

async function search(query: string, headers: Record<string, string> = t.auth) {
  return t.app.inject({ method: 'GET', url: `/v1/discovery/servers?${query}`, headers });
}

async function found(query: string, headers?: Record<string, string>) {
  const res = await search(query, headers);
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  return {
    body,
    names: body.items.map((i: { server: { name: string } }) => i.server.name) as string[],
    matches: (server: string) =>
      body.items
        .find((i: { server: { name: string } }) => i.server.name === server)
        .matches.map((m: { name: string }) => m.name) as string[],
  };
}

describe('exact capability search (story 3.1)', () => {
  it('a word finds names holding it as a whole word, in any naming style, not inside a word; descriptions after', async () => {
    const r = await found('capability=weather');
    // Equal scores (one word of three) go by server name; the word in a description (notes) ranks last.
    expect(r.names).toEqual(['calendar-weather', 'weather-prod', 'notes']);
    expect(r.matches('weather-prod').sort()).toEqual(['get_current_weather', 'get_weather_forecast']);
    expect(r.matches('calendar-weather')).toEqual(['getCurrentWeather']);
  });

  it('a full name finds that name only, not the same words in another style (issue 10, point 3)', async () => {
    const r = await found('capability=get_current_weather');
    expect(r.names).toEqual(['weather-prod']);
    expect(r.matches('weather-prod')).toEqual(['get_current_weather']);
    expect(r.body.items[0].score).toBe(1);
    expect((await found('capability=getCurrentWeather')).names).toEqual(['calendar-weather']);
  });

  it('several words rank as a name match only together and in order', async () => {
    const together = await found('capability=current%20weather');
    expect(together.names).toEqual(['calendar-weather', 'weather-prod']);
    for (const i of together.body.items) expect(i.score).toBeGreaterThanOrEqual(0.6);
    // The same words apart are words of the name, not its phrase: found, ranked as a description would be.
    const apart = await found('capability=weather%20current');
    expect(apart.names).toEqual(['calendar-weather', 'weather-prod']);
    for (const i of apart.body.items) expect(i.score).toBeLessThanOrEqual(0.55);
    // Written as one name, they must be that name.
    expect((await found('capability=current_weather')).names).toEqual([]);
    expect((await found('capability=weather_current')).names).toEqual([]);
  });

  it('a word of a description is found, below every name match (issue 10, point 3)', async () => {
    expect((await found('capability=note')).names).toEqual(['notes']);
    const r = await found('capability=conditions');
    expect(r.names).toEqual(['weather-prod']);
    expect(r.matches('weather-prod')).toEqual(['get_current_weather']);
    expect(r.body.items[0].score).toBeLessThanOrEqual(0.55);
  });

  it('several capabilities find only servers having all of them', async () => {
    const r = await found('capability=weather,calendar');
    expect(r.names).toEqual(['calendar-weather']);
    expect(r.body.items[0].matches.map((m: { term: string; name: string }) => [m.term, m.name])).toEqual([
      ['weather', 'getCurrentWeather'],
      ['calendar', 'list_calendar_events'],
    ]);
  });

  it('tags find only servers having all of them', async () => {
    expect((await found('capability=weather&tags=public,external')).names.sort()).toEqual([
      'calendar-weather',
      'weather-prod',
    ]);
    expect((await found('capability=weather&tags=internal,PUBLIC')).names).toEqual(['calendar-weather']);
  });

  it('environment keeps only servers in that environment', async () => {
    expect((await found('capability=weather&environment=production')).names).toEqual([
      'weather-prod',
      'notes',
    ]);
    expect((await found('capability=weather&environment=development')).names).toEqual([]);
  });

  it('limit caps the items while total counts every match', async () => {
    const r = await found('capability=weather&limit=1');
    expect(r.body.items).toHaveLength(1);
    expect(r.body.total).toBe(3);
  });

  it('each match carries its capability version and definition', async () => {
    const r = await found('capability=get_current_weather');
    expect(r.body.items[0].matches[0]).toEqual({
      term: 'get_current_weather',
      terms: ['get_current_weather'],
      kind: 'tool',
      name: 'get_current_weather',
      description: 'Current conditions for a city',
      score: 1,
      version: 3,
      definition: {
        name: 'get_current_weather',
        description: 'Current conditions for a city',
        inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    });
    expect(r.body.items[0].server).toEqual({
      id: ids['weather-prod'],
      name: 'weather-prod',
      url: 'https://weather-prod.example/mcp',
      environment: 'production',
      tags: ['public', 'external'],
      description: 'weather-prod server',
      status: 'active',
      links: {
        self: `/v1/servers/${ids['weather-prod']}`,
        capabilities: `/v1/servers/${ids['weather-prod']}/capabilities`,
      },
    });
  });

  it('an empty result still says what was searched', async () => {
    const res = await search('capability=teleport, Weather&fuzzy=false&tags=public&environment=staging');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      query: {
        capabilities: ['teleport', 'Weather'],
        fuzzy: false,
        environment: 'staging',
        tags: ['public'],
        limit: 20,
      },
      total: 0,
      items: [],
      nextCursor: null,
    });
  });
});

describe('fuzzy capability search', () => {
  it('finds the word a typo (weathr) stands for, in names and descriptions, below whole words', async () => {
    const r = await found('capability=weathr&fuzzy=true');
    expect([...r.names].sort()).toEqual(['calendar-weather', 'notes', 'weather-prod']);
    expect(r.matches('weather-prod')).toContain('get_current_weather');
    const scores = r.body.items.map((i: { score: number }) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const s of scores) expect(s).toBeGreaterThan(0);
    for (const s of scores) expect(s).toBeLessThanOrEqual(0.55);
    // A word in the name beats the same word in a description.
    expect(r.names.indexOf('weather-prod')).toBeLessThan(r.names.indexOf('notes'));
  });

  it('ranks whole-word matches above words containing the term and above descriptions', async () => {
    const r = await found('capability=weather&fuzzy=true');
    expect(r.names.slice(0, 2).sort()).toEqual(['calendar-weather', 'weather-prod']);
    expect(r.names.slice(2).sort()).toEqual(['notes', 'weatherman']);
    expect(r.body.items[1].score).toBeGreaterThan(r.body.items[2].score);
  });

  it('matches every word of a misspelt phrase, in any order', async () => {
    expect((await found('capability=wether%20curent&fuzzy=true')).names.sort()).toEqual([
      'calendar-weather',
      'weather-prod',
    ]);
  });

  it('still requires every term', async () => {
    expect((await found('capability=weathr,calender&fuzzy=true')).names).toEqual(['calendar-weather']);
  });
});

describe('tenancy and access', () => {
  it("never returns another organization's servers", async () => {
    for (const q of ['capability=get_current_weather', 'capability=weathr&fuzzy=true']) {
      expect((await found(q)).names).not.toContain('other-weather');
      expect((await found(q, other.auth)).names).toEqual(['other-weather']);
    }
  });

  it('requires authentication and a key that may read servers', async () => {
    expect((await search('capability=weather', {})).statusCode).toBe(401);
    const key = await t.keyWithScopes(['jobs:read']);
    const res = await search('capability=weather', { authorization: `Bearer ${key}` });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
  });
});

describe('query validation', () => {
  it.each([
    ['capability=weather,', '/capability'],
    ['capability=,', '/capability'],
    ['capability=weather,%20,calendar', '/capability'],
    ['capability=', '/capability'],
    ['', '/capability'],
    [`capability=${Array.from({ length: 11 }, (_, i) => `t${i}`).join(',')}`, '/capability'],
    ['capability=weather&tags=public,', '/tags'],
    ['capability=weather&limit=101', '/limit'],
    ['capability=weather&environment=moon', '/environment'],
  ])('%s is 422 with a field error at %s', async (query, pointer) => {
    const res = await search(query);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors).toContainEqual(expect.objectContaining({ location: 'query', pointer }));
  });

  it('explains an empty term in words, not as a regular expression', async () => {
    const res = await search('capability=weather,');
    expect(res.json().errors[0].detail).toMatch(/none of them empty/);
  });
});

describe('indexing', () => {
  it("replaces a server's capabilities with those of its new version", async () => {
    const id = await addServer(t.orgId, { name: 'moving', tools: [['old_tool']] });
    const versionId = uuidv7();
    await withTenant(t.database.adminDb, t.orgId, (tx) =>
      tx
        .insertInto('capability_versions')
        .values({
          org_id: t.orgId,
          id: versionId,
          server_id: id,
          version: 2,
          content_hash: versionId,
          protocol_version: '2025-06-18',
          snapshot: '{}',
          counts: '{}',
        })
        .execute(),
    );
    await withTenant(t.database.db, t.orgId, (tx) =>
      indexCapabilities(tx, {
        orgId: t.orgId,
        serverId: id,
        versionId,
        version: 2,
        items: [tool(['new_tool'])],
      }),
    );
    expect((await found('capability=old_tool')).names).toEqual([]);
    const r = await found('capability=new_tool');
    expect(r.names).toEqual(['moving']);
    expect(r.body.items[0].matches[0].version).toBe(2);
  });
});
