import type { ManifestDrift, TrustKey, TrustKeyInput, TrustSettings } from '@sprintconnect/contracts';
import type { Requester } from './http.ts';
import { segment } from './http.ts';
import type { CurrentManifest, ManifestVersionPage } from './types.ts';

/** `/v1/trust`: the org's trust store of manifest signing keys and its settings. */
export interface TrustApi {
  keys: {
    list(): Promise<{ items: TrustKey[] }>;
    add(body: TrustKeyInput): Promise<TrustKey>;
    remove(id: string): Promise<void>;
  };
  settings: {
    get(): Promise<TrustSettings>;
    set(body: TrustSettings): Promise<TrustSettings>;
  };
}

/** `/v1/servers/{id}/manifest[s]`: a server's signed capability manifests. */
export interface ManifestsApi {
  current(serverId: string): Promise<CurrentManifest>;
  /** Verifies the compact JWS against the org's trust store and makes it current. */
  submit(serverId: string, jws: string): Promise<CurrentManifest>;
  versions(serverId: string, page?: { limit?: number; cursor?: string }): Promise<ManifestVersionPage>;
  rollback(serverId: string): Promise<CurrentManifest>;
  drift(serverId: string): Promise<ManifestDrift>;
}

export function trustApi(request: Requester): TrustApi {
  return {
    keys: {
      list: () => request('GET', '/v1/trust/keys'),
      add: (body) => request('POST', '/v1/trust/keys', { body }),
      remove: (id) => request('DELETE', `/v1/trust/keys/${segment(id)}`),
    },
    settings: {
      get: () => request('GET', '/v1/trust/settings'),
      set: (body) => request('PUT', '/v1/trust/settings', { body }),
    },
  };
}

export function manifestsApi(request: Requester): ManifestsApi {
  const base = (id: string) => `/v1/servers/${segment(id)}`;
  return {
    current: (id) => request('GET', `${base(id)}/manifest`),
    submit: (id, manifest) => request('PUT', `${base(id)}/manifest`, { body: { manifest } }),
    versions: (id, page = {}) => request('GET', `${base(id)}/manifests`, { query: { ...page } }),
    rollback: (id) => request('POST', `${base(id)}/manifest/rollback`),
    drift: (id) => request('GET', `${base(id)}/manifest/drift`),
  };
}
