import type { SprintConnect } from '../src/main.ts';
import { type TestPrincipalSpec, testPrincipalHeader } from './test-principal.ts';

/**
 * Tests only: a user of `orgId` holding `roles`, made through the access service as the system would (sign-up
 * and the first owner are built elsewhere), and a way to call the API as that user.
 */
export async function userWithRoles(
  sc: SprintConnect,
  orgId: string,
  email: string,
  roles: string[],
): Promise<{ id: string; as(extra?: Partial<TestPrincipalSpec>): { authorization: string } }> {
  const actor = { type: 'system' as const, id: 'test', orgId };
  const user = await sc.rbac.users.create(actor, { email, name: email.split('@')[0] });
  if (roles.length > 0) await sc.rbac.users.grantAsSystem(actor, { type: 'user', id: user.id }, roles);
  return {
    id: user.id,
    as: (extra = {}) => testPrincipalHeader({ orgId, id: user.id, name: email, ...extra }),
  };
}
