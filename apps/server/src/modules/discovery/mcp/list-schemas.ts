/**
 * Result schemas for the four list requests. Deliberately loose: each item must carry its key (name, uri
 * or uriTemplate) and every other member is kept as sent, so the snapshot records what the server
 * returned, fields this SDK does not know yet included (the SDK's own schemas drop unknown members).
 */
import { z } from 'zod';

const cursor = z.string().nullish();

export const ToolsPageSchema = z.looseObject({
  tools: z.array(z.looseObject({ name: z.string() })),
  nextCursor: cursor,
});

export const ResourcesPageSchema = z.looseObject({
  resources: z.array(z.looseObject({ uri: z.string() })),
  nextCursor: cursor,
});

export const ResourceTemplatesPageSchema = z.looseObject({
  resourceTemplates: z.array(z.looseObject({ uriTemplate: z.string() })),
  nextCursor: cursor,
});

export const PromptsPageSchema = z.looseObject({
  prompts: z.array(z.looseObject({ name: z.string() })),
  nextCursor: cursor,
});
