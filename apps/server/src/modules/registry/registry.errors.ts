import { AppError } from '../../kernel/index.ts';

export const serverNotFound = (id: string) =>
  new AppError('server_not_found', `No server ${id} in this organization.`);

export const nameTaken = (name: string, environment: string) =>
  new AppError('server_name_taken', `A server named "${name}" is already registered in ${environment}.`, {
    errors: [{ pointer: '/name', detail: `already used in ${environment}` }],
  });

/** 422: the platform egress policy (url_not_allowed) or an org egress rule, which the detail names. */
export const urlNotAllowed = (detail: string, byOrgPolicy = false) =>
  new AppError(byOrgPolicy ? 'egress_denied_by_org_policy' : 'url_not_allowed', detail, {
    errors: [{ pointer: '/url', detail }],
  });

/** Postgres unique_violation on the name index: the race the pre-check cannot close. */
export const isNameConflict = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  (e as { code?: string; constraint?: string }).code === '23505' &&
  (e as { constraint?: string }).constraint === 'servers_name_per_env';
