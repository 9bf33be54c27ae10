import type { Platform } from '../../platform/platform.ts';
import { createSecrets, type Secrets } from './secrets.ts';

export interface TenancyModule {
  readonly name: 'tenancy';
  /** Envelope encryption of an org's secrets under its data keys (ADR 0002). */
  readonly secrets: Secrets;
}

/** Organizations and their data keys. Orgs are created by bootstrap and tests (createOrg, ensureDefaultOrg). */
export function createTenancyModule(deps: Pick<Platform, 'keys'>): TenancyModule {
  return { name: 'tenancy', secrets: createSecrets(deps.keys('data-key-wrapping')) };
}
