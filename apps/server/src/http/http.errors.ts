import { AppError, type CodeOf, defineErrors } from '../kernel/index.ts';

/** The HTTP adapter's own refusals: of the request as HTTP, before any module sees it, and of the server's state. */
export const HTTP_ERRORS = defineErrors({
  route_not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  malformed_json: { status: 400, title: 'Malformed JSON body' },
  malformed_url: { status: 400, title: 'Malformed URL' },
  uri_too_long: { status: 414, title: 'URI too long' },
  malformed_request: { status: 400, title: 'Malformed HTTP request' },
  request_timeout: { status: 408, title: 'Request timeout' },
  headers_too_large: { status: 431, title: 'Request headers too large' },
  database_unavailable: { status: 503, title: 'Database unavailable' },
  shutting_down: { status: 503, title: 'Server shutting down' },
});

export type HttpErrorCode = CodeOf<typeof HTTP_ERRORS>;

export class HttpError extends AppError<HttpErrorCode> {}
