import type { Json } from '../../platform/db/index.ts';

type Kind = 'tool' | 'resource' | 'resource_template' | 'prompt';

/** Migrations 001 and 021 (version): the search index, one row per capability of each server's current version. */
export interface CapabilitiesTable {
  org_id: string;
  server_id: string;
  kind: Kind;
  name: string;
  version_id: string;
  /** The number of version `version_id` (migration 021). */
  version: number;
  description: string;
  name_words: string[];
  search_text: string;
  definition: Json;
}

/** Migration 002: every word that has appeared in an org's capabilities (fuzzy search's expansions). */
export interface CapabilityVocabularyTable {
  org_id: string;
  word: string;
}

/** Migration 020: the words each server has, for one-word searches. */
export interface ServerSearchWordsTable {
  org_id: string;
  server_id: string;
  word: string;
  named: boolean;
}

/** Migration 002: the view through which search reaches the capabilities' indexes under RLS (read only). */
export interface CapabilitySearchView {
  org_id: string;
  server_id: string;
  kind: Kind;
  name: string;
  name_words: string[];
  description: string;
}

/** Migration 002: the same for the vocabulary. */
export interface CapabilityVocabularySearchView {
  org_id: string;
  word: string;
}

/** The tables (and views) search owns: no other module names them (ADR 0035). */
export interface SearchTables {
  capabilities: CapabilitiesTable;
  capability_vocabulary: CapabilityVocabularyTable;
  server_search_words: ServerSearchWordsTable;
  capability_search: CapabilitySearchView;
  capability_vocabulary_search: CapabilityVocabularySearchView;
}
