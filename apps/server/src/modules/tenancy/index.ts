export { findOrg } from './orgs.repo.ts';
export type { Secrets } from './secrets.ts';
export { createSecrets } from './secrets.ts';
export { createOrg, ensureDefaultOrg } from './tenancy.service.ts';
