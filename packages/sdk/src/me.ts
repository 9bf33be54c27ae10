import type { MeView } from '@sprintconnect/contracts';
import type { Requester } from './http.ts';

/** The caller: the user, OAuth client or API key the credentials belong to. */
export type MeApi = () => Promise<MeView>;

export function meApi(request: Requester): MeApi {
  return () => request<MeView>('GET', '/v1/me');
}
