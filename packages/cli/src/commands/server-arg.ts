import type { SprintConnectClient } from '@sprintconnect/sdk';
import { type Environment, resolveServerId } from '../resolve/servers.ts';

/** What commands naming one server take: the argument (name or id) and the option that narrows a name. */
export interface ServerSelector {
  environment?: Environment;
}

export const SERVER_ARG = ['<server>', 'server name or id'] as const;

export function serverIdFor(
  client: SprintConnectClient,
  ref: string,
  flags: ServerSelector,
  flag = '--environment',
): Promise<string> {
  return resolveServerId(client, { ref, environment: flags.environment, flag });
}
