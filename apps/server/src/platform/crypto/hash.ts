import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const hmacSha256 = (key: Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data).digest();
export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
export const constantTimeEqual = (a: Buffer, b: Buffer): boolean =>
  a.length === b.length && timingSafeEqual(a, b);
