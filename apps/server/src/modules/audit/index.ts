export { listAuditEvents } from './audit.repo.ts';
export type { Change } from './record-change.ts';
export { recordChange } from './record-change.ts';
