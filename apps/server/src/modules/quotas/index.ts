export { INVOCATION_CLASSES } from './invocation-classes.ts';
export { QUOTAS_ERRORS } from './quotas.errors.ts';
export type { QuotasModule } from './quotas.module.ts';
export { createQuotasModule } from './quotas.module.ts';
export type { QuotasTables } from './quotas.schema.ts';
