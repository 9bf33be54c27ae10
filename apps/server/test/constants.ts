/** Fixed test secrets: tests only, never a deployment. */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7);
export const TEST_APP_ROLE_PASSWORD = 'test-app-role-password';
export const TEMPLATE_DB = 'sc_template';
