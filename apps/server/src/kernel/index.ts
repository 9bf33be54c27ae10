export type { Actor } from './actor.ts';
export type { Clock } from './clock.ts';
export { fixedClock, systemClock } from './clock.ts';
export type { CursorField, CursorValues } from './cursor.ts';
export { encodeCursor, readCursor } from './cursor.ts';
export type { ErrorCode, ErrorInfo, FieldError } from './errors.ts';
export { AppError, ERROR_CATALOG, isAppError } from './errors.ts';
export { isUuid, uuidv7 } from './ids.ts';
export { orgScopedKey, orgScopedPath } from './org-scope.ts';
