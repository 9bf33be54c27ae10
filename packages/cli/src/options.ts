import { InvalidArgumentError, Option } from 'commander';

export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
export const TRANSPORTS = ['streamable-http', 'sse'] as const;
export const SERVER_STATUSES = ['pending_discovery', 'discovering', 'active', 'discovery_failed'] as const;
export const ROLES = ['all', 'api', 'worker', 'scheduler'] as const;

/** A whole number of at least 1, for commander's option parser (its errors exit 2). */
export function positiveInt(value: string): number {
  if (!/^\d{1,9}$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError('expected a whole number of at least 1.');
  }
  return Number(value);
}

/** Repeatable list option: `--tag a --tag b,c` gives ['a', 'b', 'c']. */
export function collectList(value: string, previous: readonly string[] = []): string[] {
  const added = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...previous, ...added];
}

export function environmentOption(description: string): Option {
  return new Option('--environment <environment>', description).choices(ENVIRONMENTS);
}

export function tagOption(description: string): Option {
  return new Option('--tag <tag>', `${description} (repeatable, or comma-separated)`)
    .argParser(collectList)
    .default([], 'none');
}

export function jsonOption(
  description = 'print the API response as JSON on stdout and nothing else',
): Option {
  return new Option('--json', description);
}

export function waitOptions(): Option[] {
  return [
    new Option('--wait', 'follow the discovery job until it finishes; exit 1 if it fails'),
    new Option('--progress', 'draw the progress bar even when stderr is not a terminal'),
    new Option('--timeout <seconds>', 'with --wait, stop waiting after this long')
      .argParser(positiveInt)
      .default(600),
  ];
}

/** On commands that name one server: picks among servers of the same name (`--in` where `--environment` sets). */
export function serverEnvironmentOption(flag = '--environment'): Option {
  return new Option(
    `${flag} <environment>`,
    'when servers in several environments share the name: the one in this environment',
  ).choices(ENVIRONMENTS);
}

/**
 * A limit that may also be `default` (sent as null: back to the default). `default` stays a word here:
 * commander turns an option parser's null into ''; `orNull` makes it the API's null.
 */
export function limitOrDefault(value: string): number | 'default' {
  if (value.trim() === 'default') return 'default';
  if (!/^\d{1,13}$/.test(value.trim())) {
    throw new InvalidArgumentError('expected a whole number, or `default`.');
  }
  return Number(value);
}

export function orNull(limit: number | 'default'): number | null {
  return limit === 'default' ? null : limit;
}
