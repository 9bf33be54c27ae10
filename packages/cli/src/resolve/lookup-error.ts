/** Nothing matches the name given on the command line (exit 1, like the API's 404). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}
