export { listAuditEvents } from './audit.repo.ts';
export type { AuditTables } from './audit.schema.ts';
export type { Change } from './record-change.ts';
export { OUTBOX_CHANNEL, recordChange } from './record-change.ts';
