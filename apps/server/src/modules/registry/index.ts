export type { DiscoveryRequester, RegistryService, ServerConnection, UrlCheck } from './registry.service.ts';
export { createRegistryService } from './registry.service.ts';
export type { ServerView } from './server-view.ts';
export { serverRoutes } from './servers.routes.ts';
