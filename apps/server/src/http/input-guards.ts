import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type FieldError } from '../kernel/index.ts';
import { HttpError } from './http.errors.ts';
import { badStrings, strictUtf8, urlProblem } from './input-hygiene.ts';

/**
 * Installs the request-wide input checks of ADR 0023 on the root instance, so every route registered after
 * them (any module, any prefix) is covered without opting in. Call before the authentication hook: a URL that
 * cannot be decoded is refused like the router refuses one (400), before anything else reads it.
 */
export function installInputGuards(app: FastifyInstance): void {
  // RFC 8259 §8.1: JSON text exchanged between systems is UTF-8. A lenient decoder turns invalid bytes into
  // U+FFFD, which would then be stored as if the client had sent it; refuse the body instead.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const text = strictUtf8(body as Buffer);
    if (text === undefined) {
      done(new HttpError('malformed_json', 'The body is not valid UTF-8 (RFC 8259 §8.1).'), undefined);
      return;
    }
    parseJson(req, text, done);
  });

  app.addHook('onRequest', async (req) => {
    const why = urlProblem(req.url);
    if (why !== undefined) throw new HttpError('malformed_url', why);
  });

  app.addHook('preValidation', async (req) => {
    const errors = requestStrings(req);
    if (errors.length > 0) {
      throw new AppError('validation_failed', `The request has ${errors.length} invalid string(s).`, {
        errors,
      });
    }
  });
}

function requestStrings(req: FastifyRequest): FieldError[] {
  return [
    ...badStrings(req.params, 'path'),
    ...badStrings(req.query, 'query'),
    ...badStrings(req.headers, 'header'),
    ...badStrings(req.body, 'body'),
  ];
}
