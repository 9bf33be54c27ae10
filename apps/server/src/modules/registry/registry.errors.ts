import { AppError } from '../../kernel/index.ts';
import type { UrlRefusal } from '../../platform/egress/index.ts';

export const serverNotFound = (id: string) =>
  new AppError('server_not_found', `No server ${id} in this organization.`);

export const nameTaken = (name: string, environment: string) =>
  new AppError('server_name_taken', `A server named "${name}" is already registered in ${environment}.`, {
    errors: [{ pointer: '/name', detail: `already used in ${environment}` }],
  });

/** The code for each policy that may refuse a server URL (platform/egress refusalOf). */
const REFUSAL_CODE = {
  platform: 'url_not_allowed',
  port: 'port_not_allowed',
  org_policy: 'egress_denied_by_org_policy',
} as const;

/** 422 with the refusing rule in the detail (e.g. the setting to change, or the org rule). */
export const urlNotAllowed = (detail: string, refusedBy: UrlRefusal = 'platform') =>
  new AppError(REFUSAL_CODE[refusedBy], detail, {
    errors: [{ pointer: '/url', detail }],
  });

/** Postgres unique_violation on the name index: the race the pre-check cannot close. */
export const isNameConflict = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  (e as { code?: string; constraint?: string }).code === '23505' &&
  (e as { constraint?: string }).constraint === 'servers_name_per_env';
