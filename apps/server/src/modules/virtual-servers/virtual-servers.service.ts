import type {
  ApproveToolsInput,
  CreateVirtualServerInput,
  ListVirtualServersFilter,
  UpdateVirtualServerInput,
  VirtualServer,
} from '@sprintconnect/contracts';
import type { Actor, Clock, FieldError } from '../../kernel/index.ts';
import { keysetPage, readKeyset, uuidv7 } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import type { Authorizer } from '../authz/index.ts';
import type { RegistryService } from '../registry/index.ts';
import { type Exposure, exposeTools, type Member, toolKey, type VirtualServerSpec } from './expose-tools.ts';
import { manifestsOf, memberServers } from './member-servers.ts';
import { approvalsOnUpdate, approveTools, observeDrift, pinsOf, type Shown } from './tool-approvals.ts';
import { approve, checkManifestPins, checkPins, type Drifted, type Pinning } from './tool-pins.ts';
import { clashErrors, missingErrors, RESERVED_SLUGS } from './validation.ts';
import { specOf, toMemberRows, toOverrideRows, toView } from './virtual-server-view.ts';
import {
  nameClash,
  slugTaken,
  virtualServerInvalid,
  virtualServerNotFound,
} from './virtual-servers.errors.ts';
import * as repo from './virtual-servers.repo.ts';

/**
 * What the gateway serves for `/mcp/{slug}`: the virtual server and its exposed tool table, computed now;
 * with pinning, `exposure.exposed` holds only the tools at their approved definition and `drifted` the
 * withheld ones (ADR 0044), which the gateway refuses by name instead of calling them unknown.
 */
export interface Resolved {
  readonly virtualServer: VirtualServer;
  readonly exposure: Exposure;
  readonly drifted: readonly Drifted[];
}

const FK_VIOLATION = '23503';

export function createVirtualServersService(deps: { db: Db; clock: Clock; registry: RegistryService }) {
  const { db, clock } = deps;

  async function expose(orgId: string, spec: VirtualServerSpec, pinning: Pinning = 'off'): Promise<Shown> {
    const servers = await memberServers(deps, orgId, spec.members, spec.overrides);
    const versions = new Map(servers.map((s) => [s.id, s.version ?? null]));
    // `manifest` pinning serves what each member's current signed manifest states (ADR 0044).
    const manifests = pinning === 'manifest' ? await manifestsOf(db, orgId, versions.keys()) : undefined;
    return { ...exposeTools(spec, servers), versions, ...(manifests && { manifests }) };
  }

  /** The stored virtual server as it serves now: pinned tools at another definition are withheld. */
  function viewOf(stored: repo.Stored, all: Shown) {
    const pins = pinsOf(stored.row);
    const check =
      stored.row.pinning === 'manifest'
        ? checkManifestPins(all.exposed, all.manifests ?? new Map(), all.versions)
        : checkPins(stored.row.pinning, all.exposed, pins, all.versions);
    return { check, view: toView(stored, check.served, { ...check, pins, versions: all.versions }) };
  }
  const shown = async (orgId: string, stored: repo.Stored) =>
    viewOf(stored, await expose(orgId, specOf(stored), stored.row.pinning));

  /**
   * Every server a member names must be one the caller can see in its org: an unknown id, another org's and a
   * server hidden from the caller by policy all get the same 422 entry, so none of them leaks.
   */
  async function checkServers(authz: Authorizer, members: readonly Member[]): Promise<void> {
    const errors: FieldError[] = [];
    for (const [i, m] of members.entries()) {
      if (m.kind !== 'server') continue;
      try {
        await deps.registry.authorizeServer(authz, 'servers:read', m.serverId);
      } catch (e) {
        if ((e as { code?: string }).code !== 'server_not_found') throw e;
        errors.push({
          pointer: `/members/${i}/serverId`,
          detail: `No server ${m.serverId} in this organization.`,
        });
      }
    }
    if (errors.length > 0) throw virtualServerInvalid(errors);
  }

  /** Validates a whole virtual server against its members' current capabilities; returns the names to pin. */
  async function validate(authz: Authorizer, spec: VirtualServerSpec, pinning: Pinning): Promise<Shown> {
    await checkServers(authz, spec.members);
    const exposure = await expose(authz.principal.orgId, spec, pinning);
    if (exposure.missing.length > 0) throw virtualServerInvalid(missingErrors(exposure.missing));
    if (exposure.clashes.length > 0) throw nameClash(clashErrors(exposure.clashes, spec));
    return exposure;
  }

  function checkSlug(slug: string | undefined): void {
    if (slug !== undefined && RESERVED_SLUGS.has(slug))
      throw virtualServerInvalid([
        { pointer: '/slug', detail: `"${slug}" is reserved; choose another slug.` },
      ]);
  }

  async function write<T>(orgId: string, slug: string | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await withTenant(db, orgId, fn);
    } catch (e) {
      if (repo.isSlugConflict(e)) throw slugTaken(slug ?? '');
      // A member server deleted between the check and the write: the foreign key refuses the row.
      if ((e as { code?: string }).code === FK_VIOLATION)
        throw virtualServerInvalid([
          { pointer: '/members', detail: 'A member server was deleted meanwhile.' },
        ]);
      throw e;
    }
  }

  async function load(tx: Tx, orgId: string, id: string): Promise<repo.Stored> {
    const row = await repo.findById(tx, orgId, id);
    if (row === undefined) throw virtualServerNotFound(id);
    const parts = await repo.partsOf(tx, orgId, [id]);
    return { row, ...parts };
  }

  return {
    async list(orgId: string, f: ListVirtualServersFilter) {
      const limit = f.limit ?? 50;
      const after = readKeyset(repo.VIRTUAL_SERVER_ORDER, f.cursor);
      const { rows, parts } = await withTenant(db, orgId, async (tx) => {
        const rows = await repo.listPage(tx, orgId, { limit, after });
        return {
          rows,
          parts: await repo.partsOf(
            tx,
            orgId,
            rows.slice(0, limit).map((r) => r.id),
          ),
        };
      });
      const page = keysetPage(repo.VIRTUAL_SERVER_ORDER, rows, limit);
      const of = (id: string) => ({
        members: parts.members.filter((m) => m.virtual_server_id === id),
        overrides: parts.overrides.filter((o) => o.virtual_server_id === id),
      });
      return { items: page.items.map((row) => toView({ row, ...of(row.id) })), nextCursor: page.nextCursor };
    },

    /** One virtual server, with the tools it shows now (from its members' current capabilities). */
    async get(orgId: string, id: string): Promise<VirtualServer> {
      const stored = await withTenant(db, orgId, (tx) => load(tx, orgId, id));
      return (await shown(orgId, stored)).view;
    },

    async create(authz: Authorizer, actor: Actor, input: CreateVirtualServerInput): Promise<VirtualServer> {
      checkSlug(input.slug);
      const id = uuidv7();
      const members = toMemberRows(actor.orgId, id, input.members);
      const overrides = toOverrideRows(actor.orgId, id, input.overrides ?? []);
      const naming = input.naming ?? 'prefix';
      const pinning: Pinning = input.pinning ?? 'off';
      const exposure = await validate(
        authz,
        specOf({ row: { naming, pinned_names: {} }, members, overrides }),
        pinning,
      );
      // Turning pinning on approves what the creator just reviewed: every tool at its current definition.
      const approved = pinning === 'approved' ? approve({}, exposure.exposed, exposure.versions) : {};
      const now = clock.now();
      return write(actor.orgId, input.slug, async (tx) => {
        if ((await repo.findBySlug(tx, actor.orgId, input.slug)) !== undefined) throw slugTaken(input.slug);
        await repo.insertRow(tx, {
          ...{ org_id: actor.orgId, id, slug: input.slug, name: input.name.trim(), naming },
          ...{ description: input.description ?? '', enabled: input.enabled ?? true },
          pinned_names: JSON.stringify(exposure.pins),
          ...{ pinning, approved_tools: JSON.stringify(approved), reported_drifts: '{}' },
          ...{ created_by: `${actor.type}:${actor.id}`, created_at: now, updated_at: now },
        });
        await repo.replaceParts(tx, actor.orgId, id, { members, overrides });
        await recordChange(tx, actor, {
          action: 'virtual_server.created',
          target: { type: 'virtual_server', id },
          data: {
            slug: input.slug,
            naming,
            pinning,
            members: members.length,
            tools: exposure.exposed.length,
          },
        });
        return viewOf(await load(tx, actor.orgId, id), exposure).view;
      });
    },

    /**
     * Changes a virtual server. A change of members, overrides or naming rule is validated against the
     * members' current capabilities and re-pins the names; a change of only its label or `enabled` is not
     * refused because an upstream changed since.
     */
    async update(authz: Authorizer, actor: Actor, id: string, input: UpdateVirtualServerInput) {
      const { orgId } = actor;
      checkSlug(input.slug);
      const current = await withTenant(db, orgId, (tx) => load(tx, orgId, id));
      const members = input.members === undefined ? undefined : toMemberRows(orgId, id, input.members);
      const overrides =
        input.overrides === undefined ? undefined : toOverrideRows(orgId, id, input.overrides);
      const naming = input.naming ?? current.row.naming;
      const spec = specOf({
        row: { naming, pinned_names: current.row.pinned_names },
        members: members ?? current.members,
        overrides: overrides ?? current.overrides,
      });
      const reshaped = members !== undefined || overrides !== undefined || input.naming !== undefined;
      const pinning = input.pinning ?? current.row.pinning;
      const exposure = reshaped ? await validate(authz, spec, pinning) : await expose(orgId, spec, pinning);
      // Pinning on a reshape: only tools this change newly selects are approved by it (the admin chose them
      // now); a tool already shown keeps its approval or its drift (ADR 0044).
      const before =
        reshaped && pinning === 'approved' && current.row.pinning === 'approved'
          ? new Set(
              (await expose(orgId, specOf(current))).exposed.map((t) => toolKey(t.serverId, t.upstreamName)),
            )
          : undefined;
      return write(orgId, input.slug, async (tx) => {
        const again = await repo.lockById(tx, orgId, id);
        if (again === undefined) throw virtualServerNotFound(id);
        const approved = approvalsOnUpdate({ from: again, pinning, exposure, before });
        if (input.slug !== undefined && input.slug !== again.slug) {
          if ((await repo.findBySlug(tx, orgId, input.slug)) !== undefined) throw slugTaken(input.slug);
        }
        await repo.updateRow(tx, orgId, id, {
          ...(input.slug !== undefined && { slug: input.slug }),
          ...(input.name !== undefined && { name: input.name.trim() }),
          ...(input.description !== undefined && { description: input.description }),
          ...(input.enabled !== undefined && { enabled: input.enabled }),
          naming,
          ...(reshaped && { pinned_names: JSON.stringify(exposure.pins) }),
          pinning,
          ...(approved !== undefined && { approved_tools: JSON.stringify(approved) }),
          ...(pinning !== again.pinning && { reported_drifts: '{}' }),
          updated_at: clock.now(),
        });
        await repo.replaceParts(tx, orgId, id, { members, overrides });
        await recordChange(tx, actor, {
          action: 'virtual_server.updated',
          target: { type: 'virtual_server', id },
          data: { fields: Object.keys(input), tools: exposure.exposed.length },
        });
        return viewOf(await load(tx, orgId, id), exposure).view;
      });
    },

    async remove(actor: Actor, id: string): Promise<void> {
      await withTenant(db, actor.orgId, async (tx) => {
        const row = await repo.findById(tx, actor.orgId, id);
        if (row === undefined) throw virtualServerNotFound(id);
        await repo.deleteRow(tx, actor.orgId, id);
        await recordChange(tx, actor, {
          action: 'virtual_server.deleted',
          target: { type: 'virtual_server', id },
          data: { slug: row.slug },
        });
      });
    },

    /**
     * For the gateway (`/mcp/{slug}`): the virtual server of that slug and the tools it shows now, named by
     * its rule and pinned names. Clashes that rediscovery brought in since the last change are not errors
     * here: the later tool is withheld (or prefixed) and `exposure.clashes` says so. Undefined: no such slug.
     */
    async resolve(orgId: string, slug: string): Promise<Resolved | undefined> {
      const stored = await withTenant(db, orgId, async (tx) => {
        const row = await repo.findBySlug(tx, orgId, slug);
        if (row === undefined) return undefined;
        return { row, ...(await repo.partsOf(tx, orgId, [row.id])) };
      });
      if (stored === undefined) return undefined;
      const all = await expose(orgId, specOf(stored), stored.row.pinning);
      const { check, view } = viewOf(stored, all);
      return { virtualServer: view, exposure: { ...all, exposed: check.served }, drifted: check.drifted };
    },

    /** `POST /v1/virtual-servers/{id}/approvals`: approves a member server's current definitions (ADR 0044). */
    async approve(actor: Actor, id: string, input: ApproveToolsInput): Promise<VirtualServer> {
      const { orgId } = actor;
      const current = await withTenant(db, orgId, (tx) => load(tx, orgId, id));
      const all = await expose(orgId, specOf(current), current.row.pinning);
      return withTenant(db, orgId, async (tx) => {
        await approveTools(tx, actor, id, input, all);
        return viewOf(await load(tx, orgId, id), all).view;
      });
    },

    /** Discovery's observer: announces pinned tools a new capability version drifted (ADR 0044). */
    observeCapabilities: observeDrift,
  };
}

export type VirtualServersService = ReturnType<typeof createVirtualServersService>;
