import type { Db } from '../../../platform/db/index.ts';
import { withTenant } from '../../../platform/db/index.ts';
import type { Authenticator, Principal } from '../../identity/index.ts';
import { accounts } from '../../rbac/index.ts';
import { isSafeMethod, isSameOrigin } from './same-origin.ts';
import { cookieNames } from './session-cookie.ts';
import { crossSite, signInAgain, usableSession } from './session-errors.ts';
import type { SessionService } from './sessions.service.ts';

/**
 * The browser session as an authenticator: a request carrying the session cookie becomes the user's principal.
 * No cookie: not ours (undefined). Unknown, ended, expired or idle session: 401 with a `login` link.
 * Unsafe methods must also come from our own origin (CSRF, see same-origin.ts).
 */
export function sessionAuthenticator(deps: {
  db: Db;
  sessions: SessionService;
  publicUrl: string;
}): Authenticator {
  const names = cookieNames(deps.publicUrl);
  return async (req, now) => {
    const token = req.cookies[names.session];
    if (token === undefined || token === '') return undefined;
    const s = usableSession(await deps.sessions.find(token, now), deps.publicUrl);
    if (!isSafeMethod(req.method) && !isSameOrigin(deps.publicUrl, req.origin, req.fetchSite)) {
      throw crossSite(deps.publicUrl);
    }
    const user = await withTenant(deps.db, s.orgId, (tx) => accounts.findAccountById(tx, s.orgId, s.userId));
    if (user === undefined || user.status !== 'active') {
      throw signInAgain('session_invalid', 'The account of this session is disabled.', deps.publicUrl, s);
    }
    await deps.sessions.touch(s, now);
    const principal: Principal = {
      kind: 'user',
      id: user.id,
      orgId: s.orgId,
      name: user.name === '' ? user.email : user.name,
      email: user.email,
      scopes: [],
      roles: [],
      authMethod: 'session',
      authTime: s.authTime,
    };
    return principal;
  };
}
