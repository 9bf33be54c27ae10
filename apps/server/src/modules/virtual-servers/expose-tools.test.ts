import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exposeTools,
  type MemberServer,
  type NamingRule,
  prefixOf,
  type VirtualServerSpec,
} from './expose-tools.ts';

const server = (id: string, name: string, tools: string[] | null, tags: string[] = []): MemberServer => ({
  id,
  name,
  tags,
  tools: tools === null ? null : tools.map((t) => ({ name: t, description: `${t} upstream` })),
});
const all = (serverId: string) => ({ kind: 'server' as const, serverId, tools: null });
const spec = (
  naming: NamingRule,
  ids: string[],
  extra: Partial<VirtualServerSpec> = {},
): VirtualServerSpec => ({
  naming,
  members: ids.map(all),
  overrides: [],
  ...extra,
});
const names = (r: ReturnType<typeof exposeTools>) => r.exposed.map((t) => t.name);

const A = server('a', 'files', ['read', 'search']);
const B = server('b', 'web', ['search', 'fetch']);

describe('exposeTools: naming rules', () => {
  it('prefix: every tool is <server name>__<tool>, even without a clash', () => {
    expect(names(exposeTools(spec('prefix', ['a', 'b']), [A, B]))).toEqual([
      'files__read',
      'files__search',
      'web__search',
      'web__fetch',
    ]);
  });

  it('on-conflict: only the later claimant of a clashing name is prefixed, the first keeps it', () => {
    const r = exposeTools(spec('on-conflict', ['a', 'b']), [A, B]);
    expect(names(r)).toEqual(['read', 'search', 'web__search', 'fetch']);
    expect(r.clashes).toEqual([]);
  });

  it('none: a clash withholds the later tool and names both sides', () => {
    const r = exposeTools(spec('none', ['a', 'b']), [A, B]);
    expect(names(r)).toEqual(['read', 'search', 'fetch']);
    expect(r.clashes).toEqual([
      {
        name: 'search',
        kept: { serverId: 'a', upstreamName: 'search' },
        withheld: { serverId: 'b', upstreamName: 'search' },
        cause: 'name',
      },
    ]);
  });

  it('a server name becomes a prefix in the MCP tool-name alphabet', () => {
    expect(prefixOf('My Files (prod)')).toBe('My-Files-prod');
    expect(prefixOf('***')).toBe('server');
  });
});

describe('exposeTools: selection', () => {
  it('a list member exposes only the listed tools and reports listed tools the server does not offer', () => {
    const r = exposeTools(
      {
        naming: 'none',
        members: [{ kind: 'server', serverId: 'a', tools: ['search', 'gone'] }],
        overrides: [],
      },
      [A],
    );
    expect(names(r)).toEqual(['search']);
    expect(r.missing).toEqual([{ serverId: 'a', tool: 'gone', pointer: '/members/0/tools/1' }]);
  });

  it('a tag member takes every server carrying the tag, in the order given', () => {
    const C = server('c', 'mail', ['send'], ['ops']);
    const D = server('d', 'chat', ['post'], ['ops']);
    const r = exposeTools({ naming: 'prefix', members: [{ kind: 'tag', tag: 'ops' }], overrides: [] }, [
      A,
      C,
      D,
    ]);
    expect(names(r)).toEqual(['mail__send', 'chat__post']);
  });

  it('a server never discovered shows nothing and its listed tools are not reported', () => {
    const U = server('u', 'pending', null);
    const r = exposeTools(
      { naming: 'none', members: [{ kind: 'server', serverId: 'u', tools: ['x'] }], overrides: [] },
      [U],
    );
    expect(r).toMatchObject({ exposed: [], missing: [], clashes: [] });
  });
});

describe('exposeTools: overrides', () => {
  it('applies an override of name, title and description, keeping the upstream name for the call', () => {
    const r = exposeTools(
      spec('prefix', ['a'], {
        overrides: [{ serverId: 'a', tool: 'read', name: 'read_file', title: 'Read', description: 'Reads' }],
      }),
      [A],
    );
    expect(r.exposed[0]).toMatchObject({
      name: 'read_file',
      title: 'Read',
      description: 'Reads',
      upstreamName: 'read',
      serverId: 'a',
    });
    expect(r.exposed[1]).toMatchObject({ name: 'files__search', description: 'search upstream' });
  });

  it('reports an override whose name clashes with another tool, even under on-conflict', () => {
    const r = exposeTools(
      spec('on-conflict', ['a', 'b'], { overrides: [{ serverId: 'b', tool: 'fetch', name: 'read' }] }),
      [A, B],
    );
    expect(r.clashes).toContainEqual(expect.objectContaining({ name: 'read', cause: 'override' }));
  });

  it('reports an override of a tool that is not selected', () => {
    const r = exposeTools(spec('none', ['a'], { overrides: [{ serverId: 'a', tool: 'nope', title: 'x' }] }), [
      A,
    ]);
    expect(r.missing).toEqual([{ serverId: 'a', tool: 'nope', pointer: '/overrides/0/tool' }]);
  });
});

describe('exposeTools: stability across rediscovery', () => {
  it('on-conflict: a prefixed tool keeps its prefixed name when the tool it clashed with goes away', () => {
    const first = exposeTools(spec('on-conflict', ['a', 'b']), [A, B]);
    const gone = server('a', 'files', ['read']);
    const again = exposeTools(spec('on-conflict', ['a', 'b'], { pinned: first.pins }), [gone, B]);
    expect(names(again)).toEqual(['read', 'web__search', 'fetch']);
  });

  it('on-conflict: an unprefixed tool keeps its name when an earlier member gains a tool of that name', () => {
    const first = exposeTools(spec('on-conflict', ['a', 'b']), [server('a', 'files', ['read']), B]);
    const again = exposeTools(spec('on-conflict', ['a', 'b'], { pinned: first.pins }), [A, B]);
    expect(names(again)).toEqual(['read', 'files__search', 'search', 'fetch']);
  });

  const toolNames = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { maxLength: 6 });
  const world = fc.tuple(
    fc.array(toolNames, { minLength: 1, maxLength: 4 }),
    fc.array(toolNames, { maxLength: 4 }),
  );
  const rule = fc.constantFrom<NamingRule>('prefix', 'on-conflict', 'none');

  it('exposed names are unique, whatever the rule and the tools', () => {
    fc.assert(
      fc.property(rule, world, (naming, [tools]) => {
        const servers = tools.map((t, i) => server(`s${i}`, `srv${i}`, t));
        const r = exposeTools(
          spec(
            naming,
            servers.map((s) => s.id),
          ),
          servers,
        );
        expect(new Set(names(r)).size).toBe(r.exposed.length);
        // Every selected tool is either exposed or reported withheld.
        const withheld = r.clashes.filter((c) => c.renamedTo === undefined).length;
        expect(r.exposed.length + withheld).toBe(tools.flat().length);
      }),
    );
  });

  it('a tool exposed before and after a rediscovery keeps its name, whatever other tools came and went', () => {
    fc.assert(
      fc.property(rule, world, (naming, [before, after]) => {
        const ids = before.map((_, i) => `s${i}`);
        const at = (lists: string[][]) => ids.map((id, i) => server(id, `srv${i}`, lists[i] ?? []));
        const first = exposeTools(spec(naming, ids), at(before));
        const second = exposeTools(spec(naming, ids, { pinned: first.pins }), at(after));
        for (const t of second.exposed) {
          const was = first.pins[`${t.serverId}/${t.upstreamName}`];
          if (was !== undefined) expect(t.name).toBe(was);
        }
      }),
    );
  });
});
