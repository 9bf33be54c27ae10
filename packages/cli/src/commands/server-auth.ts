import type { CreateServerInput } from '@sprintconnect/sdk';
import { Option } from 'commander';
import { secretFromEnv } from '../config.ts';
import { UsageError } from '../usage-error.ts';

type ServerAuth = NonNullable<CreateServerInput['auth']>;

export interface AuthFlags {
  bearerTokenEnv?: string;
  headerEnv?: string;
}

/** An HTTP field name (RFC 9110 §5.1, a token), as the API accepts it. */
const FIELD_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;

/**
 * `--header-env <Name=VAR>`: the server wants its credential in a header of its own (`X-Api-Key`). The value
 * is read from the environment, never from the command line, where `ps` and shell history would keep it.
 */
export function headerEnvOption(): Option {
  return new Option(
    '--header-env <Name=VAR>',
    'send the header Name with the value of $VAR to the server (e.g. X-Api-Key=WEATHER_KEY)',
  );
}

/** The credential the flags describe; undefined when they name none. Two ways at once is a usage error. */
export function authFromFlags(
  flags: AuthFlags,
  env: Readonly<Record<string, string | undefined>>,
): ServerAuth | undefined {
  if (flags.bearerTokenEnv !== undefined && flags.headerEnv !== undefined) {
    throw new UsageError('give --bearer-token-env or --header-env, not both');
  }
  if (flags.bearerTokenEnv !== undefined) {
    return { type: 'bearer', token: secretFromEnv(env, flags.bearerTokenEnv, '--bearer-token-env') };
  }
  if (flags.headerEnv === undefined) return undefined;
  const at = flags.headerEnv.indexOf('=');
  const name = flags.headerEnv.slice(0, at).trim();
  const variable = flags.headerEnv.slice(at + 1).trim();
  if (at < 0 || !FIELD_NAME.test(name) || variable === '') {
    throw new UsageError(
      '--header-env takes Name=VAR: a header name, then the environment variable holding its value',
    );
  }
  return { type: 'header', name, value: secretFromEnv(env, variable, '--header-env') };
}
