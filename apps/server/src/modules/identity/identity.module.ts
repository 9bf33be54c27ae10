import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config/index.ts';
import type { Platform } from '../../platform/platform.ts';
import { type AuthAttempts, createAuthAttempts } from './auth-attempts.ts';
import { type ClientNames, meRoutes } from './me.routes.ts';

export interface IdentityModule {
  readonly name: 'identity';
  /** Failed authentication per source network and per client id, shared by all processes (ADR 0022). */
  readonly attempts: AuthAttempts;
  /** `GET /v1/me`. */
  readonly routes: readonly FastifyPluginAsync[];
  /** The module that registers OAuth clients tells `/v1/me` their names (ADR 0028: higher modules register). */
  registerClientNames(names: ClientNames): void;
}

/** Who is calling (issue 9 point 2, ADR 0029): the principal, how credentials become one, and `/v1/me`. */
export function createIdentityModule(
  deps: Pick<Platform, 'db' | 'failuresPerMinute'> & {
    config: Pick<Config, 'authFailuresPerSource' | 'authFailuresPerClient'>;
  },
): IdentityModule {
  const attempts = createAuthAttempts({
    perSource: deps.failuresPerMinute(deps.config.authFailuresPerSource, 'auth_failures'),
    perClient: deps.failuresPerMinute(deps.config.authFailuresPerClient, 'auth_failures'),
  });
  let clientNames: ClientNames | undefined;
  return {
    name: 'identity',
    attempts,
    routes: [meRoutes(deps.db, () => clientNames)],
    registerClientNames(names) {
      clientNames = names;
    },
  };
}
