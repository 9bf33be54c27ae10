export type { IndexItem } from './index-item.ts';
export type { SearchModule } from './search.module.ts';
export { createSearchModule } from './search.module.ts';
export type { SearchTables } from './search.schema.ts';
export { nameWords } from './words.ts';
