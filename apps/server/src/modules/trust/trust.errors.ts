import { AppError, type CodeOf, defineErrors, type FieldError } from '../../kernel/index.ts';

export const TRUST_ERRORS = defineErrors({
  trust_key_not_found: { status: 404, title: 'Trust key not found' },
  trust_key_private: { status: 422, title: 'Private key refused' },
  trust_key_alg_not_allowed: { status: 422, title: 'Key algorithm not allowed' },
  trust_key_invalid: { status: 422, title: 'Key invalid' },
  trust_key_kid_taken: { status: 409, title: 'Key id already in the trust store' },
  manifest_malformed: { status: 422, title: 'Manifest not a compact JWS' },
  manifest_alg_not_allowed: { status: 422, title: 'Manifest algorithm not allowed' },
  manifest_header_not_allowed: { status: 422, title: 'Manifest offers its own key' },
  manifest_key_untrusted: { status: 422, title: 'Manifest signing key not trusted' },
  manifest_issuer_mismatch: { status: 422, title: 'Manifest issuer mismatch' },
  manifest_signature_invalid: { status: 422, title: 'Manifest signature invalid' },
  manifest_invalid: { status: 422, title: 'Manifest payload invalid' },
  manifest_server_mismatch: { status: 422, title: 'Manifest is for another server' },
  manifest_required: { status: 422, title: 'Signed manifest required' },
  manifest_not_found: { status: 404, title: 'Manifest not found' },
  manifest_rollback_unavailable: { status: 409, title: 'No earlier manifest to roll back to' },
});

export type TrustErrorCode = CodeOf<typeof TRUST_ERRORS>;

export class TrustError extends AppError<TrustErrorCode> {}

/** A manifest refusal: the code says which check failed; the pointer is the request member that carried it. */
export const manifestRefused = (code: TrustErrorCode, detail: string, extra: FieldError[] = []) =>
  new TrustError(code, detail, { errors: [{ pointer: '/manifest', detail }, ...extra] });

export const manifestRequired = () =>
  manifestRefused(
    'manifest_required',
    'This organization requires a signed manifest: send `manifest`, a compact JWS signed by a key of its trust store.',
  );

export const manifestNotFound = (serverId: string) =>
  new TrustError('manifest_not_found', `Server ${serverId} has no signed manifest.`);

export const rollbackUnavailable = (serverId: string, current: number) =>
  new TrustError(
    'manifest_rollback_unavailable',
    `No manifest version of server ${serverId} before version ${current} still verifies against the trust store.`,
  );

export const keyNotFound = (id: string) =>
  new TrustError('trust_key_not_found', `There is no key ${id} in this organization's trust store.`);

export const kidTaken = (kid: string) =>
  new TrustError('trust_key_kid_taken', `The trust store already holds a key with kid "${kid}".`, {
    errors: [{ pointer: '/jwk/kid', detail: 'already in the trust store' }],
  });
