import { uuidv7 } from '../../kernel/index.ts';
import { hmacSha256 } from '../../platform/crypto/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import { generateApiKey } from './api-key-token.ts';
import { insertApiKey } from './api-keys.repo.ts';

/** Who ran `admin create-key`: the audit trail names the machine account, not an API caller. */
export interface LocalOperator {
  readonly osUser: string;
  readonly host: string;
  readonly pid: number;
}

/**
 * Recovery of a lost admin key (issue 10 point 7): an `admin`-scoped key made by someone with access to the
 * machine (the data dir or DATABASE_URL and the master key), on the owner connection, outside any request.
 * Like the bootstrap key it is not counted against the `api_keys` quota (recovery must work at the limit) and
 * does not expire. The event names the actor `system:operator` with the OS user, host and process.
 */
export async function createOperatorAdminKey(
  ownerDb: Db,
  pepper: Buffer,
  orgId: string,
  o: { name: string; operator: LocalOperator },
): Promise<{ id: string; token: string; prefix: string }> {
  const { token, prefix } = generateApiKey();
  const id = uuidv7();
  await withTenant(ownerDb, orgId, async (tx) => {
    await insertApiKey(tx, {
      orgId,
      id,
      prefix,
      secretHash: hmacSha256(pepper, token),
      name: o.name,
      description: `Created on ${o.operator.host} by ${o.operator.osUser} with \`sprintconnect admin create-key\`.`,
      scopes: ['admin'],
      createdBy: 'system:operator',
      expiresAt: null,
      rateLimit: null,
    });
    await recordChange(
      tx,
      { type: 'system', id: 'operator', orgId },
      {
        action: 'api_key.created',
        target: { type: 'api_key', id },
        data: {
          name: o.name,
          scopes: ['admin'],
          via: 'sprintconnect admin create-key',
          osUser: o.operator.osUser,
          host: o.operator.host,
          pid: o.operator.pid,
        },
      },
    );
  });
  return { id, token, prefix };
}
