import type { Clock } from '../../../kernel/index.ts';
import type { Authenticator } from '../../identity/index.ts';
import type { SessionUser } from '../accounts/signed-in-user.ts';

/** A console session already in this browser signs the user in to the authorization server too. */
export function sessionUserVia(sessions: Authenticator, publicUrl: string, clock: Clock): SessionUser {
  return async (cookies) => {
    try {
      const p = await sessions(
        {
          authorization: undefined,
          dpop: undefined,
          cookies,
          method: 'GET',
          url: `${publicUrl}/oidc/interaction`,
        },
        clock.now(),
      );
      if (p?.kind !== 'user') return undefined;
      return { id: p.id, orgId: p.orgId, email: p.email ?? '', name: p.name, authTime: p.authTime };
    } catch {
      return undefined; // expired or ended session: sign in again
    }
  };
}
