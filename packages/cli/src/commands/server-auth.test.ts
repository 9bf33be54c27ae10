import { describe, expect, it } from 'vitest';
import { UsageError } from '../usage-error.ts';
import { authFromFlags } from './server-auth.ts';
import { updateBody } from './servers-update.ts';

const ENV = { WEATHER_KEY: 's3cret', TOKEN: 'tok' };

describe('server credentials from flags', () => {
  it('--header-env Name=VAR sends the header Name with the value of $VAR', () => {
    expect(authFromFlags({ headerEnv: 'X-Api-Key=WEATHER_KEY' }, ENV)).toEqual({
      type: 'header',
      name: 'X-Api-Key',
      value: 's3cret',
    });
    expect(authFromFlags({ bearerTokenEnv: 'TOKEN' }, ENV)).toEqual({ type: 'bearer', token: 'tok' });
    expect(authFromFlags({}, ENV)).toBeUndefined();
  });

  it.each([
    ['no =', { headerEnv: 'X-Api-Key' }],
    ['no variable', { headerEnv: 'X-Api-Key=' }],
    ['a name that is not a header name', { headerEnv: 'X Api=WEATHER_KEY' }],
    ['an unset variable', { headerEnv: 'X-Api-Key=UNSET' }],
    ['two ways at once', { headerEnv: 'X-Api-Key=WEATHER_KEY', bearerTokenEnv: 'TOKEN' }],
  ])('refuses %s as a usage error', (_what, flags) => {
    expect(() => authFromFlags(flags, ENV)).toThrow(UsageError);
  });

  it('servers update: --header-env changes the credential; with --no-auth it is a usage error', () => {
    expect(updateBody({ tag: [], headerEnv: 'X-Api-Key=WEATHER_KEY' }, ENV)).toEqual({
      auth: { type: 'header', name: 'X-Api-Key', value: 's3cret' },
    });
    expect(() => updateBody({ tag: [], headerEnv: 'X-Api-Key=WEATHER_KEY', noAuth: true }, ENV)).toThrow(
      UsageError,
    );
  });
});
