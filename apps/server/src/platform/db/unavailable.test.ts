import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './unavailable.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable: connection-class failures, never request or code faults', () => {
  it('counts PostgreSQL shutdown, start-up, connection and capacity SQLSTATEs', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08001', '08P01', '53300'])
      expect(isDatabaseUnavailable(withCode('x', code)), code).toBe(true);
  });

  it('counts socket failures of the connection itself, including an AggregateError over several addresses', () => {
    expect(isDatabaseUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isDatabaseUnavailable(withCode('read ECONNRESET', 'ECONNRESET'))).toBe(true);
    const both = Object.assign(new AggregateError([withCode('a', 'ECONNREFUSED')], ''), {
      code: 'ECONNREFUSED',
    });
    expect(isDatabaseUnavailable(both)).toBe(true);
  });

  it("counts node-postgres' dropped-connection and pool-timeout errors, which carry no code", () => {
    for (const m of [
      'Connection terminated unexpectedly',
      'Connection terminated',
      'timeout exceeded when trying to connect',
      'Client has encountered a connection error and is not queryable',
    ])
      expect(isDatabaseUnavailable(new Error(m)), m).toBe(true);
  });

  it('finds a connection failure in the cause chain (an error wrapped by a library)', () => {
    expect(isDatabaseUnavailable(new Error('query failed', { cause: withCode('x', '57P01') }))).toBe(true);
  });

  it('does not count constraint violations, syntax errors, permission errors or plain bugs', () => {
    for (const code of ['23505', '42601', '42501', '40001', '22P02'])
      expect(isDatabaseUnavailable(withCode('x', code)), code).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable('Connection terminated')).toBe(false);
  });

  it('does not count an outbound HTTP failure, which wraps the same socket codes in a cause', () => {
    const fetchFailed = new TypeError('fetch failed', {
      cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED'),
    });
    expect(isDatabaseUnavailable(fetchFailed)).toBe(false);
  });
});
