export {
  admitManifest,
  manifestSummaries,
  manifestSummary,
  observeCapabilities,
} from './manifest-ledger.ts';
export type { ManifestTools } from './manifest-tools.ts';
export { currentManifestTools, matchesStated } from './manifest-tools.ts';
export { TRUST_ERRORS } from './trust.errors.ts';
export type { TrustModule } from './trust.module.ts';
export { createTrustModule } from './trust.module.ts';
export type { TrustTables } from './trust.schema.ts';
