import { describe, expect, it } from 'vitest';
import { isUniqueViolation } from './unique-violation.ts';

describe('isUniqueViolation', () => {
  const violation = { code: '23505', constraint: 'servers_name_per_env' };

  it('recognises SQLSTATE 23505, on the named constraint when one is given', () => {
    expect(isUniqueViolation(violation)).toBe(true);
    expect(isUniqueViolation(violation, 'servers_name_per_env')).toBe(true);
    expect(isUniqueViolation(violation, 'roles_name_per_org')).toBe(false);
  });

  it('is false for any other error, whatever its message says', () => {
    expect(isUniqueViolation({ code: '23503', constraint: 'servers_name_per_env' })).toBe(false);
    expect(isUniqueViolation(new Error('duplicate key value violates unique constraint'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
    expect(isUniqueViolation('23505')).toBe(false);
  });
});
