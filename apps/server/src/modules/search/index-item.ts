/** One capability as the search index holds it; discovery flattens each new snapshot into these. */
export interface IndexItem {
  kind: 'tool' | 'resource' | 'resource_template' | 'prompt';
  name: string;
  description: string;
  definition: Record<string, unknown>;
}
