import type { Server, SprintConnectClient } from '@sprintconnect/sdk';
import type { ENVIRONMENTS } from '../options.ts';
import { isUuid, pickOne } from './pick.ts';

export type Environment = (typeof ENVIRONMENTS)[number];

export interface ServerRef {
  /** A server id, or a name (case-insensitive, as the API keeps names unique per environment). */
  ref: string;
  /** Narrows a name to one environment. */
  environment?: Environment | undefined;
  /** The option that narrows, named in the ambiguity message (`--environment`, or `--in` on `servers update`). */
  flag?: string;
}

// Longer than any server name the API accepts (100), so certainly not one; also keeps `q` within its limit.
const MAX_NAME = 100;

/**
 * The id of the server a command line names. Names are looked up in the caller's organization (through `q`,
 * then compared whole): a name used in several environments is refused with the candidates listed.
 */
export async function resolveServerId(client: SprintConnectClient, r: ServerRef): Promise<string> {
  if (isUuid(r.ref)) return r.ref;
  const wanted = r.ref.trim().toLowerCase();
  const matches: Server[] = [];
  if (wanted !== '' && wanted.length <= MAX_NAME) {
    const filter =
      r.environment === undefined ? { q: r.ref.trim() } : { q: r.ref.trim(), environment: r.environment };
    for await (const s of client.servers.all(filter)) {
      if (s.name.toLowerCase() === wanted) matches.push(s);
    }
  }
  const flag = r.flag ?? '--environment';
  return pickOne(r.ref, matches, {
    what: 'server',
    scope: r.environment === undefined ? 'in this organization' : `in ${r.environment}`,
    narrow: `pick one with ${flag} <environment>`,
    columns: [
      { header: 'ID', value: (s) => s.id },
      { header: 'NAME', value: (s) => s.name, maxWidth: 32 },
      { header: 'ENVIRONMENT', value: (s) => s.environment },
      { header: 'STATUS', value: (s) => s.status },
    ],
    listCommand: 'sprintconnect servers list',
  }).id;
}
