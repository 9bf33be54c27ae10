/** The command line itself is wrong (exit code 2), as opposed to a failed operation (exit code 1). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
