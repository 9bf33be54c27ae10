import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RenderedProblem } from './problem.ts';

/** What a page for people shows of a problem. */
export interface ProblemPage {
  readonly title: string;
  readonly detail: string;
  readonly links: Readonly<Record<string, string>> | undefined;
  readonly requestId: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * For routes a browser navigates to (the sign-in pages): the HTML a person sees instead of the problem+json.
     * The page is the module's; its status and headers stay the adapter's (ADR 0034).
     */
    errorPage?: (p: ProblemPage) => string;
  }
}

/** A browser navigation asks for HTML; API clients (and scripts) get problem+json. */
export function wantsHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const html = accept.indexOf('text/html');
  const json = accept.search(/application\/(problem\+)?json/);
  return html !== -1 && (json === -1 || html < json);
}

/** Sends the route's error page for `p` when the route has one and the client navigates; false otherwise. */
export function sendErrorPage(req: FastifyRequest, reply: FastifyReply, p: RenderedProblem): boolean {
  const page = req.routeOptions.config.errorPage;
  if (page === undefined || !wantsHtml(req.headers.accept)) return false;
  void reply
    .status(p.status)
    .headers(p.headers)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      page({ title: p.body.title, detail: p.body.detail, links: p.body.links, requestId: String(req.id) }),
    );
  return true;
}
