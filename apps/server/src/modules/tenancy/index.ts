export { ensureDefaultOrg, createOrg } from './tenancy.service.ts';
export { createSecrets } from './secrets.ts';
export type { Secrets } from './secrets.ts';
export { findOrg } from './orgs.repo.ts';
