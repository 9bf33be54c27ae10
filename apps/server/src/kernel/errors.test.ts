import { describe, expect, it } from 'vitest';
import { AppError, type CodeOf, defineErrors, isAppError } from './errors.ts';

const SHOP_ERRORS = defineErrors({ item_not_found: { status: 404, title: 'Item not found' } });
class ShopError extends AppError<CodeOf<typeof SHOP_ERRORS>> {}

describe('AppError', () => {
  it('takes a generic code, and a module code only through the module subclass', () => {
    expect(new AppError('validation_failed', 'x').code).toBe('validation_failed');
    expect(new ShopError('item_not_found', 'x').code).toBe('item_not_found');
    expect(new ShopError('conflict', 'x').code).toBe('conflict');
    // The unions are closed: each line below fails the typecheck (npm run check) if it ever compiles.
    // @ts-expect-error a module's code is not a generic one
    new AppError('item_not_found', 'x');
    // @ts-expect-error a typo is no code at all
    new ShopError('item_not_fund', 'x');
  });

  it('raises the same failure again with other links or challenge, keeping its class and data', () => {
    const e = new ShopError('item_not_found', 'gone', {
      errors: [{ pointer: '/id', detail: 'unknown' }],
      retryAfterSeconds: 3,
    });
    const again = e.with({ links: { login: '/auth/login' } });
    expect(again).toBeInstanceOf(ShopError);
    expect(isAppError(again)).toBe(true);
    expect(again).toMatchObject({
      code: 'item_not_found',
      detail: 'gone',
      errors: [{ pointer: '/id', detail: 'unknown' }],
      retryAfterSeconds: 3,
      links: { login: '/auth/login' },
    });
    expect(e.links).toBeUndefined();
  });
});
