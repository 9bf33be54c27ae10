import { AppError, type CodeOf, defineErrors, type ErrorExtra } from '../../kernel/index.ts';

export const IDENTITY_ERRORS = defineErrors({
  step_up_required: { status: 403, title: 'Recent sign-in required' },
});

export type IdentityErrorCode = CodeOf<typeof IDENTITY_ERRORS>;

export class IdentityError extends AppError<IdentityErrorCode> {}

/** 403 for a change that needs a recent sign-in (ADR 0007, ADR 0010); `extra` says how to give one. */
export const stepUpRequired = (detail: string, extra: Pick<ErrorExtra, 'challenge' | 'links'> = {}) =>
  new IdentityError('step_up_required', detail, extra);
