export { recordChange } from './record-change.ts';
export type { Change } from './record-change.ts';
export { listAuditEvents } from './audit.repo.ts';
