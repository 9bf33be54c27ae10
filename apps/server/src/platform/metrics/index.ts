import { Counter, Registry } from 'prom-client';

/**
 * platform/metrics: Prometheus metrics (`prom-client`) for `/metrics`. One registry per composed app, never
 * prom-client's global one, so two apps in one process (tests, a second replica in-process) do not collide.
 * Modules declare their own series through `counter`; the HTTP adapter serves `render()`.
 */
export interface Metrics {
  counter<L extends string>(opts: { name: string; help: string; labelNames: readonly L[] }): Counter<L>;
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  return {
    counter: (opts) => new Counter({ ...opts, labelNames: [...opts.labelNames], registers: [registry] }),
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
