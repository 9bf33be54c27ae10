import type { CreateServerInput, Job, Server, UpdateServerInput } from '@sprintconnect/contracts';
import type { Requester } from './http.ts';
import { segment } from './http.ts';
import type { CreatedServer, ServerFilter, ServerPage, UpdatedServer } from './types.ts';

export interface ServersApi {
  /** Registers a server; unless `autoDiscover` is false the reply carries the queued discovery job. */
  register(body: CreateServerInput): Promise<CreatedServer>;
  /** One page; pass the previous page's `nextCursor` as `cursor` for the next. */
  list(filter?: ServerFilter): Promise<ServerPage>;
  /** Every matching server, fetching pages as the loop advances. */
  all(filter?: Omit<ServerFilter, 'cursor'>): AsyncGenerator<Server, void, undefined>;
  get(id: string): Promise<Server>;
  /**
   * Changes the fields given; a new URL, transport or credentials of a server with `autoDiscover` starts a new
   * discovery, carried in `discoveryJob` (else null).
   */
  update(id: string, patch: UpdateServerInput): Promise<UpdatedServer>;
  delete(id: string): Promise<void>;
  /** Queues discovery, or returns the job already queued or running for this server. */
  discover(id: string, opts?: { force?: boolean }): Promise<Job>;
}

export function serversApi(request: Requester): ServersApi {
  const list = (filter: ServerFilter = {}) =>
    request<ServerPage>('GET', '/v1/servers', { query: { ...filter } });
  return {
    register: (body) => request('POST', '/v1/servers', { body }),
    list,
    async *all(filter = {}) {
      let cursor: string | undefined;
      do {
        const page = await list({ ...filter, cursor });
        yield* page.items;
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
    },
    get: (id) => request('GET', `/v1/servers/${segment(id)}`),
    update: (id, patch) => request('PATCH', `/v1/servers/${segment(id)}`, { body: patch }),
    delete: (id) => request('DELETE', `/v1/servers/${segment(id)}`),
    discover: (id, opts = {}) =>
      request('POST', `/v1/servers/${segment(id)}/discover`, {
        body: opts.force === undefined ? {} : { force: opts.force },
      }),
  };
}
