import { isUuid } from '../../kernel/index.ts';
import { listen } from '../../platform/db/index.ts';
import { OUTBOX_CHANNEL } from '../audit/index.ts';
import type { RbacModule } from '../rbac/index.ts';

/**
 * What tells the gateway, in every process, that what an org's callers may list has changed (issue 11 point 6,
 * ADR 0047): the outbox announcement of every committed change (`<org> <topic>` on the audit module's channel)
 * for the catalogue (a new capability version, a server renamed or deleted, a virtual server edited), and the
 * access channel the policy sets follow (a policy published, a role changed). Both come through PostgreSQL
 * LISTEN/NOTIFY, so the process holding a caller's stream hears of a change made by any other process; the
 * process that made it hears of it the same way, at commit.
 *
 * A catalogue change empties the org's cached catalogues at once (`onCatalogueChanged`); the callers' streams
 * are told shortly after, once per burst (a rediscovery commits several events), so each re-lists once. While
 * the channel is down nothing is cached and, when it is back, every org is treated as changed: messages sent
 * meanwhile are lost (platform/db/notify.ts).
 */
export interface ChangeFeed {
  /** `changed` runs after each change that may alter what the org's callers list. Returns the unsubscribe. */
  subscribe(orgId: string, changed: () => void): () => void;
  close(): Promise<void>;
}

/** Outbox topics after which an org's catalogue may differ (the owners' action names). */
export function changesCatalogue(topic: string): boolean {
  return (
    topic.startsWith('capabilities.') ||
    topic.startsWith('virtual_server.') ||
    topic === 'server.updated' ||
    topic === 'server.deleted'
  );
}

export function createChangeFeed(deps: {
  listenUrl: string;
  follow: RbacModule['permissions']['follow'];
  onCatalogueChanged: (orgId: string | undefined) => void;
  /** How long a burst of changes is gathered before the streams are told; default 50 ms. */
  coalesceMs?: number;
}): ChangeFeed {
  const subscribers = new Map<string, Set<() => void>>();
  const due = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    timer = undefined;
    const orgs = [...due];
    due.clear();
    for (const orgId of orgs) for (const fn of subscribers.get(orgId) ?? []) fn();
  };
  const changed = (orgId: string | undefined) => {
    for (const o of orgId === undefined ? subscribers.keys() : [orgId]) if (subscribers.has(o)) due.add(o);
    if (due.size > 0 && timer === undefined) timer = setTimeout(flush, deps.coalesceMs ?? 50);
  };

  const listener = listen({
    connectionString: deps.listenUrl,
    channel: OUTBOX_CHANNEL,
    onMessage: (payload) => {
      const [orgId, topic = ''] = payload.split(' ', 2);
      if (orgId === undefined || !isUuid(orgId) || !changesCatalogue(topic)) return;
      deps.onCatalogueChanged(orgId);
      changed(orgId);
    },
    onConnected: () => {
      deps.onCatalogueChanged(undefined);
      changed(undefined);
    },
  });
  // Policies and roles decide what each caller sees: a change to them changes lists, not the catalogue.
  deps.follow({
    invalidate: (orgId) => changed(orgId),
    clear: () => changed(undefined),
    setEnabled: () => {},
  });

  return {
    subscribe(orgId, fn) {
      let set = subscribers.get(orgId);
      if (set === undefined) {
        set = new Set();
        subscribers.set(orgId, set);
      }
      set.add(fn);
      return () => {
        set.delete(fn);
        if (set.size === 0 && subscribers.get(orgId) === set) subscribers.delete(orgId);
      };
    },
    async close() {
      if (timer !== undefined) clearTimeout(timer);
      await listener.close();
    },
  };
}
