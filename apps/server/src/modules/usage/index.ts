export type { UsageModule } from './usage.module.ts';
export { createUsageModule } from './usage.module.ts';
export type { UsageTables } from './usage.schema.ts';
export type { Outcome, PrincipalKind, UsageRecord } from './usage-record.ts';
export type { DropReason, UsageRecorder } from './usage-recorder.ts';
