import type { ErrorCode, FieldError } from '../../kernel/index.ts';
import { AppError } from '../../kernel/index.ts';

/** A manifest refusal: the code says which check failed; the pointer is the request member that carried it. */
export const manifestRefused = (code: ErrorCode, detail: string, extra: FieldError[] = []) =>
  new AppError(code, detail, { errors: [{ pointer: '/manifest', detail }, ...extra] });

export const manifestRequired = () =>
  manifestRefused(
    'manifest_required',
    'This organization requires a signed manifest: send `manifest`, a compact JWS signed by a key of its trust store.',
  );

export const manifestNotFound = (serverId: string) =>
  new AppError('manifest_not_found', `Server ${serverId} has no signed manifest.`);

export const rollbackUnavailable = (serverId: string, current: number) =>
  new AppError(
    'manifest_rollback_unavailable',
    `No manifest version of server ${serverId} before version ${current} still verifies against the trust store.`,
  );

export const serverNotFound = (id: string) =>
  new AppError('server_not_found', `No server ${id} in this organization.`);

export const keyNotFound = (id: string) =>
  new AppError('trust_key_not_found', `There is no key ${id} in this organization's trust store.`);

export const kidTaken = (kid: string) =>
  new AppError('trust_key_kid_taken', `The trust store already holds a key with kid "${kid}".`, {
    errors: [{ pointer: '/jwk/kid', detail: 'already in the trust store' }],
  });

/** Postgres unique_violation on the kid index: the race a pre-check cannot close. */
export const isKidConflict = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  (e as { code?: string }).code === '23505' &&
  (e as { constraint?: string }).constraint === 'trust_keys_kid_per_org';
