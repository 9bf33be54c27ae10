/**
 * Is this error PostgreSQL's unique_violation (SQLSTATE 23505), on `constraint` when one is named? The race a
 * read-then-insert pre-check cannot close ends here: the unique index is the judge, and the caller turns the
 * violation into its own conflict (`server_name_taken`, `role_name_taken`...). Matched by SQLSTATE and constraint
 * name, never by message (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const pg = e as { code?: unknown; constraint?: unknown };
  return pg.code === '23505' && (constraint === undefined || pg.constraint === constraint);
}
