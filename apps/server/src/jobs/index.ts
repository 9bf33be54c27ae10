export type { ScheduledJob } from './scheduled.ts';
export { installSchedules } from './scheduled.ts';
