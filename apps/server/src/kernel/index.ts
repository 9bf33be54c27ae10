export type { Actor } from './actor.ts';
export type { Clock } from './clock.ts';
export { fixedClock, systemClock } from './clock.ts';
export type { CursorField, CursorValues } from './cursor.ts';
export { encodeCursor, readCursor } from './cursor.ts';
export type { Challenge, RateLimitState } from './error-hints.ts';
export type {
  CodeOf,
  ErrorCatalogue,
  ErrorExtra,
  ErrorInfo,
  FieldError,
  GenericErrorCode,
} from './errors.ts';
export { AppError, defineErrors, GENERIC_ERRORS, isAppError } from './errors.ts';
export { isUuid, uuidv7 } from './ids.ts';
export type { KeyCache } from './key-cache.ts';
export { createKeyCache } from './key-cache.ts';
export type { KeysetKey, KeysetOrder } from './keyset.ts';
export { isAfterKeyset, keysetOrder, keysetPage, readKeyset } from './keyset.ts';
export type { McpToolContribution } from './mcp-tool.ts';
export { orgScopedKey, orgScopedPath } from './org-scope.ts';
export type { TtlMemo } from './ttl-memo.ts';
export { createTtlMemo } from './ttl-memo.ts';
export type { ZonedTime, ZonedTimeOf } from './zoned-time.ts';
export { createZonedTime } from './zoned-time.ts';
