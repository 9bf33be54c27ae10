/**
 * Known routes as patterns, so an unknown method on a known path answers 405 with `Allow` (RFC 9110 §15.5.6)
 * instead of Fastify's default 404.
 */
export interface RouteTable {
  add(method: string | string[], url: string): void;
  allowed(path: string): string[];
}

export function createRouteTable(): RouteTable {
  const routes: { re: RegExp; methods: Set<string> }[] = [];
  return {
    add(method, url) {
      const source = `^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+')}/?$`;
      let entry = routes.find((r) => r.re.source === source);
      if (entry === undefined) {
        entry = { re: new RegExp(source), methods: new Set() };
        routes.push(entry);
      }
      for (const m of Array.isArray(method) ? method : [method]) entry.methods.add(m.toUpperCase());
    },
    allowed(path) {
      const out = new Set<string>();
      for (const r of routes) if (r.re.test(path)) for (const m of r.methods) out.add(m);
      return [...out].sort();
    },
  };
}
