import { deriveKey } from '../src/platform/crypto/index.ts';

/** Fixed test secrets: tests only, never a deployment. */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7);
/**
 * Derived exactly as a real start derives it, so a real `sprintconnect start` child process given
 * TEST_MASTER_KEY (two-process tests) sets the same runtime-role password the in-process pools use.
 */
export const TEST_APP_ROLE_PASSWORD = deriveKey(TEST_MASTER_KEY, 'db-app-role-password').toString(
  'base64url',
);
export const TEMPLATE_DB = 'sc_template';
