import type { Entry } from './catalogue.ts';

/**
 * Templated resources (issue 11 points 2 and 10, ADR 0047): a `resources/read` of a URI no server lists is
 * routed to the first server (in catalogue order: servers by name, then their templates in upstream order)
 * one of whose `resourceTemplates` matches it. Matching covers RFC 6570 level 1 only: literal text and simple
 * `{var}` expressions, each matching one or more characters other than `/`, `?` and `#` (a simple expansion
 * percent-encodes those, RFC 6570 §3.2.2). A template with any operator (`{+path}`, `{?q}`, `{/seg}`...) or a
 * list of variables is not matched: reads of it are unknown, as before. The read is decided by Cedar like any
 * resource read, on the capability the template names (`<server>/resource/<template name>`).
 */
export function templatePattern(template: string): RegExp | null {
  let source = '^';
  let ok = true;
  let last = 0;
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) {
    source += literal(template.slice(last, m.index));
    if (!/^[A-Za-z0-9_]+$/.test(m[1] ?? '')) ok = false;
    source += '[^/?#]+';
    last = m.index + m[0].length;
  }
  const rest = template.slice(last);
  if (rest.includes('{') || rest.includes('}')) ok = false;
  // Compiled per read of an unlisted URI: an org's templates are few, and nothing is kept between requests.
  return ok ? new RegExp(`${source}${literal(rest)}$`) : null;
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The entry a read of `uri` goes to through a template, with the concrete URI as its upstream name. */
export function viaTemplate(templates: readonly Entry[] | undefined, uri: string): Entry | undefined {
  for (const t of templates ?? []) {
    if (templatePattern(t.upstreamName)?.test(uri)) return { ...t, upstreamName: uri, exposedName: uri };
  }
  return undefined;
}
