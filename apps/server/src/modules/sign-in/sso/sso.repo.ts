import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/index.ts';

export interface SsoConfigRow {
  org_id: string;
  issuer: string;
  client_id: string;
  client_secret: Buffer;
  allowed_email_domains: string[];
  authorization_endpoint: string;
  token_endpoint: string;
  updated_at: Date;
}

export async function findSsoConfig(tx: Tx, orgId: string): Promise<SsoConfigRow | undefined> {
  const { rows } = await sql<SsoConfigRow>`
    SELECT org_id, issuer, client_id, client_secret, allowed_email_domains, authorization_endpoint,
           token_endpoint, updated_at
    FROM sso_configs WHERE org_id = ${orgId}`.execute(tx);
  return rows[0];
}

export async function upsertSsoConfig(
  tx: Tx,
  c: {
    orgId: string;
    issuer: string;
    clientId: string;
    clientSecret: Buffer;
    allowedEmailDomains: string[];
    authorizationEndpoint: string;
    tokenEndpoint: string;
    updatedBy: string;
    now: Date;
  },
): Promise<void> {
  await sql`
    INSERT INTO sso_configs (org_id, issuer, client_id, client_secret, allowed_email_domains,
                             authorization_endpoint, token_endpoint, created_at, updated_at, updated_by)
    VALUES (${c.orgId}, ${c.issuer}, ${c.clientId}, ${c.clientSecret}, ${c.allowedEmailDomains},
            ${c.authorizationEndpoint}, ${c.tokenEndpoint}, ${c.now}, ${c.now}, ${c.updatedBy})
    ON CONFLICT (org_id) DO UPDATE SET
      issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id, client_secret = EXCLUDED.client_secret,
      allowed_email_domains = EXCLUDED.allowed_email_domains,
      authorization_endpoint = EXCLUDED.authorization_endpoint, token_endpoint = EXCLUDED.token_endpoint,
      updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`.execute(tx);
}
