import type { Selectable } from 'kysely';
import type { Queries } from '../../../platform/db/index.ts';
import type { SignInSsoTables, SsoConfigsTable } from './sso.schema.ts';

type Q = Queries<SignInSsoTables>;

export type SsoConfigRow = Pick<
  Selectable<SsoConfigsTable>,
  | 'org_id'
  | 'issuer'
  | 'client_id'
  | 'client_secret'
  | 'allowed_email_domains'
  | 'authorization_endpoint'
  | 'token_endpoint'
  | 'updated_at'
>;

export async function findSsoConfig(tx: Q, orgId: string): Promise<SsoConfigRow | undefined> {
  return tx
    .selectFrom('sso_configs')
    .select([
      'org_id',
      'issuer',
      'client_id',
      'client_secret',
      'allowed_email_domains',
      'authorization_endpoint',
      'token_endpoint',
      'updated_at',
    ])
    .where('org_id', '=', orgId)
    .executeTakeFirst();
}

export async function upsertSsoConfig(
  tx: Q,
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
  await tx
    .insertInto('sso_configs')
    .values({
      org_id: c.orgId,
      issuer: c.issuer,
      client_id: c.clientId,
      client_secret: c.clientSecret,
      allowed_email_domains: c.allowedEmailDomains,
      authorization_endpoint: c.authorizationEndpoint,
      token_endpoint: c.tokenEndpoint,
      created_at: c.now,
      updated_at: c.now,
      updated_by: c.updatedBy,
    })
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet((eb) => ({
        issuer: eb.ref('excluded.issuer'),
        client_id: eb.ref('excluded.client_id'),
        client_secret: eb.ref('excluded.client_secret'),
        allowed_email_domains: eb.ref('excluded.allowed_email_domains'),
        authorization_endpoint: eb.ref('excluded.authorization_endpoint'),
        token_endpoint: eb.ref('excluded.token_endpoint'),
        updated_at: eb.ref('excluded.updated_at'),
        updated_by: eb.ref('excluded.updated_by'),
      })),
    )
    .execute();
}
