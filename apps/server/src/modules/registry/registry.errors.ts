import { AppError, type CodeOf, defineErrors } from '../../kernel/index.ts';

export const REGISTRY_ERRORS = defineErrors({
  server_not_found: { status: 404, title: 'Server not found' },
  server_name_taken: { status: 409, title: 'Server name already registered' },
});

export type RegistryErrorCode = CodeOf<typeof REGISTRY_ERRORS>;

export class RegistryError extends AppError<RegistryErrorCode> {}

/** The one 404 for a server: unknown, in another org, or hidden from the caller (server-guard.ts). */
export const serverNotFound = (id: string) =>
  new RegistryError('server_not_found', `No server ${id} in this organization.`);

export const nameTaken = (name: string, environment: string) =>
  new RegistryError(
    'server_name_taken',
    `A server named "${name}" is already registered in ${environment}.`,
    {
      errors: [{ pointer: '/name', detail: `already used in ${environment}` }],
    },
  );
