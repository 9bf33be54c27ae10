import { AppError, type CodeOf, defineErrors } from '../../kernel/index.ts';

export const API_KEYS_ERRORS = defineErrors({
  api_key_invalid: { status: 401, title: 'Invalid API key' },
  api_key_expired: { status: 401, title: 'API key expired' },
  api_key_not_found: { status: 404, title: 'API key not found' },
});

export type ApiKeysErrorCode = CodeOf<typeof API_KEYS_ERRORS>;

export class ApiKeysError extends AppError<ApiKeysErrorCode> {}
