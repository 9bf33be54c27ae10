export { replaceServerCapabilities as indexCapabilities } from './capabilities.repo.ts';
export { searchRoutes } from './search.routes.ts';
export type { SearchService } from './search.service.ts';
export { createSearchService } from './search.service.ts';
export { nameWords } from './words.ts';
