/**
 * The one `Database` type (issue 9 point 3, ADR 0035): every owner's tables, merged into the interface that
 * platform/db declares and types its handles with. Here, beside the composition root, because this file may
 * see every module and the platform may not. Each owner's `*Tables` names the tables only it queries;
 * `architecture.test.ts` checks that every schema file's tables are merged here, once.
 */
import type { ApiKeysTables } from './modules/api-keys/index.ts';
import type { AuditTables } from './modules/audit/index.ts';
import type { EgressPolicyTables } from './modules/egress-policy/index.ts';
import type { IdempotencyTables } from './modules/idempotency/index.ts';
import type { OAuthServerTables, OAuthTokensTables } from './modules/oauth/index.ts';
import type { PolicyTables } from './modules/policy/index.ts';
import type { QuotasTables } from './modules/quotas/index.ts';
import type { RbacTables } from './modules/rbac/index.ts';
import type { RegistryTables } from './modules/registry/index.ts';
import type { SearchTables } from './modules/search/index.ts';
import type {
  SignInInvitationsTables,
  SignInSessionsTables,
  SignInSsoTables,
} from './modules/sign-in/index.ts';
import type { TenancyTables } from './modules/tenancy/index.ts';
import type { TrustTables } from './modules/trust/index.ts';
import type { UsageTables } from './modules/usage/index.ts';
import type { VirtualServersTables } from './modules/virtual-servers/index.ts';
import type { JobsTables } from './platform/jobs/index.ts';
import type { RateLimitTables } from './platform/ratelimit/index.ts';

declare module './platform/db/schema.ts' {
  interface Database
    extends TenancyTables,
      AuditTables,
      RbacTables,
      QuotasTables,
      EgressPolicyTables,
      IdempotencyTables,
      ApiKeysTables,
      SignInSessionsTables,
      SignInSsoTables,
      SignInInvitationsTables,
      OAuthServerTables,
      OAuthTokensTables,
      TrustTables,
      RegistryTables,
      SearchTables,
      PolicyTables,
      VirtualServersTables,
      UsageTables,
      JobsTables,
      RateLimitTables {}
}
