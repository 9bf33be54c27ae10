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
/**
 * SPRINTCONNECT_EGRESS_PORTS for test apps: the production default (80,443) plus the ephemeral range, where the
 * MCP servers, identity providers and webhook receivers the tests start on 127.0.0.1 listen. A test of the
 * port policy itself sets its own list.
 */
export const TEST_EGRESS_PORTS = '80,443,1024-65535';
