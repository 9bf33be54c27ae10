export { open, seal } from './aead.ts';
export type { KeyPurpose } from './derive.ts';
export { deriveKey } from './derive.ts';
export { constantTimeEqual, hmacSha256, hmacSha256With, sha256Hex } from './hash.ts';
export { loadMasterKey, readMasterKey } from './master-key.ts';
