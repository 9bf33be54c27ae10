import type { CreateServerInput, ListServersFilter, UpdateServerInput } from '@sprintconnect/contracts';
import type { Actor } from '../../kernel/index.ts';
import { encodeCursor, readCursor, uuidv7 } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { isUniqueViolation, withTenant } from '../../platform/db/index.ts';
import { type CheckUrlResult, refusalOf } from '../../platform/egress/index.ts';
import { recordChange } from '../audit/index.ts';
import type { Authorizer, Obligations, VisibleServers } from '../authz/index.ts';
import { urlRefused } from '../egress-policy/index.ts';
import type { Secrets } from '../tenancy/index.ts';
import { admitManifest, manifestSummaries, manifestSummary } from '../trust/index.ts';
import { nameTaken, serverNotFound } from './registry.errors.ts';
import {
  connectionChange,
  credentialHeaders,
  type ServerConnection,
  sealServerAuth,
} from './server-connection.ts';
import { createServerGuard, judgeServer } from './server-guard.ts';
import { type ServerView, toServerView } from './server-view.ts';
import * as repo from './servers.repo.ts';
import { listVisibleBatch } from './visible-servers.ts';

/**
 * Pre-flight for a server URL (the egress-policy module's): the platform egress policy (addresses and ports) and
 * the org's own egress rules (literal and resolved addresses). A failure's `code` names the refusing rule.
 */
export type UrlCheck = (orgId: string, url: string) => Promise<CheckUrlResult>;

/**
 * The `servers` quota (modules/quotas, ADR 0025), whose counter this module hands over. A registration or
 * delete runs its transaction inside `exclusive` (the org's turn, waited for without a pooled connection); `take`
 * comes first in the registering transaction and throws quota_exceeded at the limit; `release` is in the
 * deleting one.
 */
export interface ServerQuota {
  exclusive<T>(orgId: string, fn: () => Promise<T>): Promise<T>;
  take(tx: Tx, orgId: string): Promise<void>;
  release(tx: Tx, orgId: string): Promise<void>;
}

/** The unique index on a server's name per environment: its violation is the race a pre-check cannot close. */
const NAME_INDEX = 'servers_name_per_env';

export function createRegistryService(deps: {
  db: Db;
  secrets: Secrets;
  checkUrl: UrlCheck;
  quota: ServerQuota;
}) {
  const { db, secrets } = deps;

  async function validateUrl(orgId: string, url: string): Promise<void> {
    const r = await deps.checkUrl(orgId, url);
    // A name that does not resolve now is accepted: discovery reports it with guidance (DNS may be split-horizon).
    if (r.ok || r.code === 'egress_dns_failed') return;
    throw urlRefused(refusalOf(r.code), r.detail, [{ pointer: '/url', detail: r.detail }]);
  }

  const sealAuth = (tx: Tx, orgId: string, auth: CreateServerInput['auth']) =>
    sealServerAuth(secrets, tx, orgId, auth);

  return {
    /**
     * Registers a server. `alsoInTx` runs in the registering transaction once the server is in (the discovery
     * module queues its first discovery there: register and discover is its use case, issue 9 point 1), so a
     * refusal of either leaves nothing behind.
     */
    async register<T>(
      actor: Actor,
      input: CreateServerInput,
      alsoInTx: (tx: Tx, server: { id: string; autoDiscover: boolean }) => Promise<T>,
    ): Promise<{ server: ServerView; also: T }> {
      await validateUrl(actor.orgId, input.url);
      const environment = input.environment ?? 'development';
      const id = uuidv7();
      try {
        return await deps.quota.exclusive(actor.orgId, () =>
          withTenant(db, actor.orgId, async (tx) => {
            await deps.quota.take(tx, actor.orgId);
            if ((await repo.findServerIdByName(tx, actor.orgId, environment, input.name)) !== undefined) {
              throw nameTaken(input.name, environment);
            }
            const autoDiscover = input.autoDiscover ?? true;
            await repo.insertServer(tx, {
              org_id: actor.orgId,
              id,
              name: input.name.trim(),
              url: input.url,
              transport: input.transport ?? 'streamable-http',
              environment,
              tags: input.tags ?? [],
              description: input.description ?? '',
              auto_discover: autoDiscover,
              status: 'pending_discovery',
              created_by: `${actor.type}:${actor.id}`,
              ...(await sealAuth(tx, actor.orgId, input.auth)),
            });
            // A refused manifest throws here: the registration rolls back and changes nothing.
            await admitManifest(tx, actor, { serverId: id, serverUrl: input.url, manifest: input.manifest });
            await recordChange(tx, actor, {
              action: 'server.registered',
              target: { type: 'server', id },
              data: { name: input.name, url: input.url, environment, authType: input.auth?.type ?? 'none' },
            });
            const also = await alsoInTx(tx, { id, autoDiscover });
            const row = await repo.findServer(tx, actor.orgId, id);
            const manifest = await manifestSummary(tx, actor.orgId, id);
            return { server: toServerView(row!, manifest), also };
          }),
        );
      } catch (e) {
        if (isUniqueViolation(e, NAME_INDEX)) throw nameTaken(input.name, environment);
        throw e;
      }
    },

    /**
     * One server as the caller may see it: loaded, judged by the PDP on its attributes (404 when hidden,
     * server-guard.ts) and completed in one transaction, so a read costs one round of statements.
     */
    async read(authz: Authorizer, id: string): Promise<{ view: ServerView; obligations: Obligations }> {
      const { orgId } = authz.principal;
      return withTenant(db, orgId, async (tx) => {
        const row = await repo.findServer(tx, orgId, id);
        const { obligations } = judgeServer(authz, 'servers:read', id, row);
        if (row === undefined) throw serverNotFound(id);
        return { view: toServerView(row, await manifestSummary(tx, orgId, id)), obligations };
      });
    },

    /**
     * Newest first, only servers the caller's `scope` lets it see (ADR 0020); a filtered page still fills. A
     * server view shows no capabilities, so a policy on capabilities neither hides it nor withholds anything
     * from it (ADR 0036).
     */
    async list(
      actor: Actor,
      f: ListServersFilter,
      scope?: VisibleServers,
    ): Promise<{ items: ServerView[]; nextCursor: string | null }> {
      const limit = f.limit ?? 50;
      let after: { createdAt: string; id: string } | undefined;
      if (f.cursor !== undefined) {
        const [createdAt, id] = readCursor(f.cursor, ['timestamp', 'uuid']);
        after = { createdAt, id };
      }
      const tags = f.tags
        ?.split(',')
        .map((t) => t.trim().toLowerCase())
        .filter((t) => t !== '');
      const filter = { environment: f.environment, status: f.status, q: f.q, tags, after };
      const { rows, resumeAfter } =
        scope?.mode === 'batch'
          ? await listVisibleBatch(db, actor.orgId, filter, limit + 1, scope)
          : {
              rows: await withTenant(db, actor.orgId, (tx) =>
                repo.listServers(tx, actor.orgId, {
                  ...filter,
                  limit: limit + 1,
                  ...(scope?.mode === 'query' ? { policy: scope.filter.server } : {}),
                }),
              ),
              resumeAfter: undefined,
            };
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor =
        rows.length > limit && last
          ? encodeCursor([last.created_at.toISOString(), last.id])
          : resumeAfter
            ? encodeCursor([resumeAfter.createdAt, resumeAfter.id])
            : null;
      const ids = page.map((r) => r.id);
      const manifests = await withTenant(db, actor.orgId, (tx) => manifestSummaries(tx, actor.orgId, ids));
      return { items: page.map((r) => toServerView(r, manifests.get(r.id)!)), nextCursor };
    },

    /**
     * Changes a server. `alsoInTx` runs in the same transaction once the change is in, told whether the change
     * touched how SprintConnect connects (URL, transport, credentials): the discovery module queues a new
     * discovery there (issue 10 point 6; the registry never calls discovery, ADR 0028). A changed connection
     * makes the server `pending_discovery` again, its last error about the old connection cleared.
     */
    async update<T>(
      actor: Actor,
      id: string,
      input: UpdateServerInput,
      alsoInTx: (
        tx: Tx,
        server: { id: string; autoDiscover: boolean; connectionChanged: boolean },
      ) => Promise<T>,
    ): Promise<{ server: ServerView; also: T }> {
      if (input.url !== undefined) await validateUrl(actor.orgId, input.url);
      try {
        return await withTenant(db, actor.orgId, async (tx) => {
          const current = await repo.findServer(tx, actor.orgId, id);
          if (current === undefined) throw serverNotFound(id);
          const connectionChanged = connectionChange(current, input);
          const name = input.name?.trim() ?? current.name;
          const environment = input.environment ?? current.environment;
          if (name.toLowerCase() !== current.name.toLowerCase() || environment !== current.environment) {
            const other = await repo.findServerIdByName(tx, actor.orgId, environment, name);
            if (other !== undefined && other !== id) throw nameTaken(name, environment);
          }
          await repo.updateServer(tx, actor.orgId, id, {
            name,
            environment,
            ...(input.url !== undefined && { url: input.url }),
            ...(input.transport !== undefined && { transport: input.transport }),
            ...(input.tags !== undefined && { tags: input.tags }),
            ...(input.description !== undefined && { description: input.description }),
            ...(input.autoDiscover !== undefined && { auto_discover: input.autoDiscover }),
            ...(input.auth !== undefined && (await sealAuth(tx, actor.orgId, input.auth))),
            ...(connectionChanged && { status: 'pending_discovery' as const, last_error: null }),
          });
          const changed = Object.keys(input).filter((k) => k !== 'auth');
          await recordChange(tx, actor, {
            action: 'server.updated',
            target: { type: 'server', id },
            data: { fields: input.auth === undefined ? changed : [...changed, 'auth'], connectionChanged },
          });
          const autoDiscover = input.autoDiscover ?? current.auto_discover;
          const also = await alsoInTx(tx, { id, autoDiscover, connectionChanged });
          const row = (await repo.findServer(tx, actor.orgId, id))!;
          return { server: toServerView(row, await manifestSummary(tx, actor.orgId, id)), also };
        });
      } catch (e) {
        if (isUniqueViolation(e, NAME_INDEX)) throw nameTaken(input.name ?? '', input.environment ?? '');
        throw e;
      }
    },

    async remove(actor: Actor, id: string): Promise<void> {
      await deps.quota.exclusive(actor.orgId, () =>
        withTenant(db, actor.orgId, async (tx) => {
          const current = await repo.findServer(tx, actor.orgId, id);
          if (current === undefined) throw serverNotFound(id);
          if (await repo.deleteServer(tx, actor.orgId, id)) await deps.quota.release(tx, actor.orgId);
          await recordChange(tx, actor, {
            action: 'server.deleted',
            target: { type: 'server', id },
            data: { name: current.name },
          });
        }),
      );
    },

    /** For the discovery worker: where and how to connect, with the credential opened. */
    async connectionFor(tx: Tx, orgId: string, id: string): Promise<ServerConnection | undefined> {
      const row = await repo.findServer(tx, orgId, id);
      if (row === undefined) return undefined;
      const headers = await credentialHeaders(secrets, tx, orgId, row);
      return { id: row.id, orgId, url: row.url, transport: row.transport, headers };
    },

    async setDiscoveryState(
      tx: Tx,
      orgId: string,
      id: string,
      patch: {
        status: 'discovering' | 'active' | 'discovery_failed';
        lastError?: unknown;
        currentVersionId?: string;
        discoveredAt?: Date;
      },
    ): Promise<void> {
      await repo.updateServer(tx, orgId, id, {
        status: patch.status,
        ...(patch.lastError !== undefined && {
          last_error: patch.lastError === null ? null : JSON.stringify(patch.lastError),
        }),
        ...(patch.currentVersionId !== undefined && { current_version_id: patch.currentVersionId }),
        ...(patch.discoveredAt !== undefined && { last_discovered_at: patch.discoveredAt }),
      });
    },

    /** The server's row, or the registry's one 404 (`server_not_found`) for every caller that needs it. */
    async requireServerRow(tx: Tx, orgId: string, id: string) {
      const row = await repo.findServer(tx, orgId, id);
      if (row === undefined) throw serverNotFound(id);
      return row;
    },

    /** What policies see of a server (name, environment, tags), unjudged: for dry runs about other callers. */
    async serverFacts(orgId: string, id: string) {
      const facts = await withTenant(db, orgId, (tx) => repo.findServerFacts(tx, orgId, id));
      if (facts === undefined) throw serverNotFound(id);
      return facts;
    },

    /** The PDP on one server with its attributes; 404 when the caller may not see it (server-guard.ts). */
    authorizeServer: createServerGuard(db),
  };
}

export type RegistryService = ReturnType<typeof createRegistryService>;
