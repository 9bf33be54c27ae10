import type {
  CapabilityDiffSchema,
  CapabilityVersion,
  CreatedApiKeySchema,
  CreatedOAuthClientSchema,
  CreatedServerSchema,
  CurrentManifestSchema,
  Job,
  ListServersFilter,
  ManifestVersionPageSchema,
  SearchInput,
  ServerPageSchema,
  TrustedIssuerSchema,
  UpdatedServerSchema,
} from '@sprintconnect/contracts';

// `Schema['static']` is what TypeBox's `Static<>` computes; reading it here keeps the SDK free of a runtime
// (or even a type-level) dependency on TypeBox for the shapes contracts does not name.
export type CreatedServer = (typeof CreatedServerSchema)['static'];
export type UpdatedServer = (typeof UpdatedServerSchema)['static'];
export type ServerPage = (typeof ServerPageSchema)['static'];
export type CapabilityDiff = (typeof CapabilityDiffSchema)['static'];
export type CreatedApiKey = (typeof CreatedApiKeySchema)['static'];
export type CreatedOAuthClient = (typeof CreatedOAuthClientSchema)['static'];
export type TrustedIssuer = (typeof TrustedIssuerSchema)['static'];
export type CurrentManifest = (typeof CurrentManifestSchema)['static'];
export type ManifestVersionPage = (typeof ManifestVersionPageSchema)['static'];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export type CapabilityVersionPage = Page<CapabilityVersion>;

/** The contract's list filter, with `tags` also accepted as a list (sent comma-separated). */
export type ServerFilter = Omit<ListServersFilter, 'tags'> & { tags?: string | readonly string[] };

/** The contract's search query, with `capability` and `tags` also accepted as lists (sent comma-separated). */
export type SearchParams = Omit<SearchInput, 'capability' | 'tags'> & {
  capability?: string | readonly string[];
  tags?: string | readonly string[];
};

export type JobState = Job['state'];
