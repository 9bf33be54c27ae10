/**
 * Search's own tables that the platform's `Database` type does not list (migrations 002 and 020), for the
 * query builder: `tx.withTables<SearchTables>()`. The `capabilities` rows are in `Database` already.
 */
export type SearchTables = {
  server_search_words: {
    org_id: string;
    server_id: string;
    word: string;
    named: boolean;
  };
  capability_vocabulary: {
    org_id: string;
    word: string;
  };
};
