import { oneLine } from '../output/sanitize.ts';
import type { Column } from '../output/table.ts';
import { formatTable } from '../output/table.ts';
import { UsageError } from '../usage-error.ts';
import { NotFoundError } from './lookup-error.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else on the command line is a name to look up. */
export function isUuid(ref: string): boolean {
  return UUID.test(ref);
}

export interface PickSpec<T> {
  /** `server`, `role`... for messages. */
  what: string;
  /** How the name was matched, e.g. `named`, `with the email`. */
  matched?: string;
  /** Where it was looked for, e.g. `in this organization`. */
  scope?: string;
  /** How to tell candidates apart on the command line when several match. */
  narrow?: string;
  /** Columns that tell candidates apart in the ambiguity message. */
  columns: readonly Column<T>[];
  /** Where to see what exists, for the not-found message. */
  listCommand: string;
}

/**
 * The one item among `matches` (the items whose name equals `ref`): none is a NotFoundError (exit 1), several a
 * UsageError (exit 2) listing each candidate and how to name one.
 */
export function pickOne<T>(ref: string, matches: readonly T[], spec: PickSpec<T>): T {
  const scope = spec.scope ?? 'in this organization';
  const matched = spec.matched ?? 'named';
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new NotFoundError(
      `there is no ${spec.what} ${matched} "${oneLine(ref)}" ${scope} (see \`${spec.listCommand}\`)`,
    );
  }
  const rows = formatTable(matches, spec.columns)
    .split('\n')
    .map((l) => `  ${l}`);
  const how = spec.narrow === undefined ? 'give its id' : `${spec.narrow}, or give its id`;
  throw new UsageError(
    [`${matches.length} ${spec.what}s are ${matched} "${oneLine(ref)}" ${scope}: ${how}`, ...rows].join('\n'),
  );
}
