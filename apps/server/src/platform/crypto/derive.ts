import { hkdfSync } from 'node:crypto';

/** Purpose-bound subkeys (RFC 5869 HKDF-SHA-256), so one master secret never does two jobs. */
export type KeyPurpose =
  | 'api-key-pepper'
  | 'db-app-role-password'
  | 'data-key-wrapping'
  | 'session-token-pepper'
  | 'sso-login-state'
  | 'oauth-signing-keys'
  | 'oauth-storage'
  | 'oauth-cookies'
  | 'idempotency-fingerprint'
  | 'invitation-token-pepper';

export function deriveKey(master: Buffer, purpose: KeyPurpose, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `sprintconnect/${purpose}/v1`, length));
}
