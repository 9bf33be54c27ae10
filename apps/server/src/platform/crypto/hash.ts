import { createHash, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

export const hmacSha256 = (key: Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data).digest();
/**
 * HMAC-SHA-256 under one key, for a hot path: the key is imported once. `createHmac` with a raw Buffer imports
 * it into a new KeyObject on every call, about six times the cost of the MAC itself (bench/gateway, where each
 * proxied call checks an API key).
 */
export function hmacSha256With(key: Buffer): (data: string) => Buffer {
  const k = createSecretKey(key);
  return (data) => createHmac('sha256', k).update(data).digest();
}
export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
export const constantTimeEqual = (a: Buffer, b: Buffer): boolean =>
  a.length === b.length && timingSafeEqual(a, b);
