export { loadMasterKey } from './master-key.ts';
export { deriveKey } from './derive.ts';
export type { KeyPurpose } from './derive.ts';
export { seal, open } from './aead.ts';
export { hmacSha256, sha256Hex, constantTimeEqual } from './hash.ts';
