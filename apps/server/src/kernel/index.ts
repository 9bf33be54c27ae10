export { AppError, ERROR_CATALOG, isAppError } from './errors.ts';
export type { ErrorCode, ErrorInfo, FieldError } from './errors.ts';
export { uuidv7, isUuid } from './ids.ts';
export { systemClock, fixedClock } from './clock.ts';
export type { Clock } from './clock.ts';
export { encodeCursor, decodeCursor } from './cursor.ts';
export type { Actor } from './actor.ts';
