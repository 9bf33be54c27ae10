/**
 * The tools the official `@modelcontextprotocol/conformance` server scenarios call, by the names and with
 * the behaviour its scenarios (src/scenarios/server/tools.ts, elicitation-*.ts, json-schema-2020-12.ts,
 * sse-polling.ts at v0.1.16) and its reference fixture (examples/servers/typescript/everything-server.ts)
 * expect. Sampling and elicitation use the 2025-era push requests (`ctx.mcpReq.requestSampling` /
 * `elicitInput`), which is what the suite's SDK v1 client answers.
 */
import type { McpServer, ServerContext, StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import * as z from 'zod';

export const TEST_IMAGE_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const TEST_AUDIO_BASE64 = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
const noArgs = z.object({});

/** SEP-1613: the suite checks `$schema`, `$defs` and `additionalProperties` survive `tools/list` verbatim. */
const JSON_SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } },
  },
  properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
  additionalProperties: false,
};

/**
 * A Standard Schema whose JSON Schema is the raw 2020-12 document above, so the SDK lists it unchanged
 * (a zod schema would be re-serialised without `$defs`). Validation accepts any object: the tool only
 * echoes its arguments.
 */
const rawJsonSchema2020: StandardSchemaWithJSON = {
  '~standard': {
    version: 1,
    vendor: 'sprintconnect-conformance-fixture',
    validate: (value: unknown) =>
      typeof value === 'object' && value !== null
        ? { value }
        : { issues: [{ message: 'arguments must be an object' }] },
    jsonSchema: { input: () => JSON_SCHEMA_2020_12, output: () => JSON_SCHEMA_2020_12 },
  },
} as unknown as StandardSchemaWithJSON;

/** SEP-1034: a default for every primitive type. */
const SEP1034_SCHEMA = {
  type: 'object' as const,
  properties: {
    name: { type: 'string' as const, description: 'User name', default: 'John Doe' },
    age: { type: 'integer' as const, description: 'User age', default: 30 },
    score: { type: 'number' as const, description: 'User score', default: 95.5 },
    status: {
      type: 'string' as const,
      description: 'User status',
      enum: ['active', 'inactive', 'pending'],
      default: 'active',
    },
    verified: { type: 'boolean' as const, description: 'Verification status', default: true },
  },
  required: [],
};

/** SEP-1330: the five enum shapes (untitled/titled single, legacy enumNames, untitled/titled multi). */
const SEP1330_SCHEMA = {
  type: 'object' as const,
  properties: {
    untitledSingle: {
      type: 'string',
      description: 'Select one option',
      enum: ['option1', 'option2', 'option3'],
    },
    titledSingle: {
      type: 'string',
      description: 'Select one option with titles',
      oneOf: [
        { const: 'value1', title: 'First Option' },
        { const: 'value2', title: 'Second Option' },
        { const: 'value3', title: 'Third Option' },
      ],
    },
    legacyEnum: {
      type: 'string',
      description: 'Select one option (legacy)',
      enum: ['opt1', 'opt2', 'opt3'],
      enumNames: ['Option One', 'Option Two', 'Option Three'],
    },
    untitledMulti: {
      type: 'array',
      description: 'Select multiple options',
      minItems: 1,
      maxItems: 3,
      items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
    },
    titledMulti: {
      type: 'array',
      description: 'Select multiple options with titles',
      minItems: 1,
      maxItems: 3,
      items: {
        anyOf: [
          { const: 'value1', title: 'First Choice' },
          { const: 'value2', title: 'Second Choice' },
          { const: 'value3', title: 'Third Choice' },
        ],
      },
    },
  },
  required: [],
};

/**
 * Send server-to-client requests on the POST's own SSE stream (spec 2025-11-25, transports: such requests
 * SHOULD relate to the originating client request). The SDK's `ctx.mcpReq.elicitInput`/`requestSampling` do
 * not relate them unless told, so they go to the standalone GET stream, which the client may not have opened
 * yet: the request is then lost and the call hangs (seen here as a flaky suite).
 */
const related = (ctx: ServerContext) => ({ relatedRequestId: ctx.mcpReq.id });

/** The suite's schemas use shapes (`enumNames`, `anyOf` items) the SDK's narrow types do not name. */
type ElicitParams = Parameters<ServerContext['mcpReq']['elicitInput']>[0];

async function elicit(ctx: ServerContext, message: string, requestedSchema: unknown, label: string) {
  const result = await ctx.mcpReq.elicitInput({ message, requestedSchema } as ElicitParams, related(ctx));
  return text(`${label}: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
}

export function registerConformanceTools(server: McpServer): void {
  server.registerTool('test_simple_text', { description: 'Tests simple text content response' }, () =>
    text('This is a simple text response for testing.'),
  );
  server.registerTool('test_image_content', { description: 'Tests image content response' }, () => ({
    content: [{ type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' }],
  }));
  server.registerTool('test_audio_content', { description: 'Tests audio content response' }, () => ({
    content: [{ type: 'audio', data: TEST_AUDIO_BASE64, mimeType: 'audio/wav' }],
  }));
  server.registerTool(
    'test_embedded_resource',
    { description: 'Tests embedded resource content response' },
    () => ({
      content: [
        {
          type: 'resource',
          resource: {
            uri: 'test://embedded-resource',
            mimeType: 'text/plain',
            text: 'This is an embedded resource content.',
          },
        },
      ],
    }),
  );
  server.registerTool(
    'test_multiple_content_types',
    { description: 'Tests response with multiple content types (text, image, resource)' },
    () => ({
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: JSON.stringify({ test: 'data', value: 123 }),
          },
        },
      ],
    }),
  );
  // The scenario expects three log messages about 50 ms apart, each sent while the call is still open.
  server.registerTool(
    'test_tool_with_logging',
    { description: 'Tests tool that emits log messages during execution', inputSchema: noArgs },
    async (_args, ctx) => {
      await ctx.mcpReq.log('info', 'Tool execution started');
      await sleep(50);
      await ctx.mcpReq.log('info', 'Tool processing data');
      await sleep(50);
      await ctx.mcpReq.log('info', 'Tool execution completed');
      return text('Tool with logging executed successfully');
    },
  );
  server.registerTool(
    'test_tool_with_progress',
    { description: 'Tests tool that reports progress notifications', inputSchema: noArgs },
    async (_args, ctx) => {
      const progressToken = ctx.mcpReq._meta?.progressToken;
      for (const progress of [0, 50, 100]) {
        if (progressToken !== undefined) {
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken, progress, total: 100, message: `Completed step ${progress} of 100` },
          });
        }
        if (progress < 100) await sleep(50);
      }
      return text(String(progressToken ?? 'no progress token'));
    },
  );
  server.registerTool('test_error_handling', { description: 'Tests error response handling' }, () => {
    throw new Error('This tool intentionally returns an error for testing');
  });
  // SEP-1699: close the POST's SSE stream mid-call; the client resumes with Last-Event-ID (needs the event store).
  server.registerTool(
    'test_reconnection',
    { description: 'Closes the SSE stream mid-call and answers after the client reconnects (SEP-1699)' },
    async (ctx) => {
      ctx.http?.closeSSE?.();
      await sleep(100);
      return text('Reconnection test completed successfully.');
    },
  );
  server.registerTool(
    'test_sampling',
    {
      description: 'Tests server-initiated sampling (LLM completion request)',
      inputSchema: z.object({ prompt: z.string().describe('The prompt to send to the LLM') }),
    },
    async ({ prompt }, ctx) => {
      const result = await ctx.mcpReq.requestSampling(
        {
          messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
          maxTokens: 100,
        },
        related(ctx),
      );
      const content = Array.isArray(result.content) ? result.content[0] : result.content;
      return text(`LLM response: ${content?.type === 'text' ? content.text : 'No response'}`);
    },
  );
  server.registerTool(
    'test_elicitation',
    {
      description: 'Tests server-initiated elicitation (user input request)',
      inputSchema: z.object({ message: z.string().describe('The message to show the user') }),
    },
    ({ message }, ctx) =>
      elicit(
        ctx,
        message,
        {
          type: 'object',
          properties: { response: { type: 'string', description: "User's response" } },
          required: ['response'],
        },
        'User response',
      ),
  );
  server.registerTool(
    'test_elicitation_sep1034_defaults',
    { description: 'Tests elicitation with default values per SEP-1034', inputSchema: noArgs },
    (_args, ctx) =>
      elicit(
        ctx,
        'Please review and update the form fields with defaults',
        SEP1034_SCHEMA,
        'Elicitation completed',
      ),
  );
  server.registerTool(
    'test_elicitation_sep1330_enums',
    { description: 'Tests elicitation with enum schema improvements per SEP-1330', inputSchema: noArgs },
    (_args, ctx) =>
      elicit(ctx, 'Please select options from the enum fields', SEP1330_SCHEMA, 'Elicitation completed'),
  );
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)',
      inputSchema: rawJsonSchema2020,
    },
    (args) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
  );
}
