export { findOrg, listOrgs, orgTimeZone } from './orgs.repo.ts';
export type { Secrets } from './secrets.ts';
export type { TenancyModule } from './tenancy.module.ts';
export { createTenancyModule } from './tenancy.module.ts';
export type { TenancyTables } from './tenancy.schema.ts';
export { createOrg, ensureDefaultOrg } from './tenancy.service.ts';
