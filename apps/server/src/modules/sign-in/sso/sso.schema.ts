import type { Generated } from 'kysely';
import type { Timestamp } from '../../../platform/db/index.ts';

/** Migration 006: one OpenID provider per org; the client secret sealed with the org's data key. */
export interface SsoConfigsTable {
  org_id: string;
  issuer: string;
  client_id: string;
  client_secret: Buffer;
  allowed_email_domains: Generated<string[]>;
  authorization_endpoint: string;
  token_endpoint: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  updated_by: string;
}

/** The tables sign-in's SSO owns: no other module names them (ADR 0035). */
export interface SignInSsoTables {
  sso_configs: SsoConfigsTable;
}
