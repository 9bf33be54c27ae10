/**
 * Canonical JSON and the content hash of a snapshot. The hash decides whether a discovery produced a new
 * capability version, so it must change exactly when what the server offers changes.
 *
 * Canonical form (the JSON Canonicalization Scheme, RFC 8785, for JSON data): object members sorted by key
 * (UTF-16 code units, JavaScript's default sort), no whitespace, ES number and string serialization.
 */
import { createHash } from 'node:crypto';
import type { CapabilitySnapshot, JsonObject } from './types.ts';

/** Serializes JSON data canonically. Members whose value is `undefined` are omitted, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      // Non-finite numbers have no JSON form; JSON.stringify writes null, and so do we.
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      }
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: ${typeof value} is not JSON data`);
  }
}

/** Items in a stable order (by their key, then by content for duplicates) so list order never matters. */
function sortedBy(items: readonly JsonObject[], key: string): JsonObject[] {
  const keyed = items.map((item) => ({ k: String(item[key] ?? ''), c: canonicalJson(item), item }));
  keyed.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : x.c < y.c ? -1 : x.c > y.c ? 1 : 0));
  return keyed.map((x) => x.item);
}

/**
 * The part of a snapshot the content hash covers: what the server offers. Left out as volatile, because
 * they change with our client rather than with the server: `protocolVersion` (negotiated, moves when our
 * SDK learns a newer revision) and `clientCapabilities` (our own declaration).
 */
export function hashedView(snapshot: CapabilitySnapshot): JsonObject {
  return {
    serverInfo: snapshot.serverInfo,
    serverCapabilities: snapshot.serverCapabilities,
    instructions: snapshot.instructions ?? null,
    tools: sortedBy(snapshot.tools, 'name'),
    resources: sortedBy(snapshot.resources, 'uri'),
    resourceTemplates: sortedBy(snapshot.resourceTemplates, 'uriTemplate'),
    prompts: sortedBy(snapshot.prompts, 'name'),
  };
}

/** SHA-256 (lowercase hex) of the canonical JSON of the snapshot's hashed view. */
export function snapshotHash(snapshot: CapabilitySnapshot): string {
  return createHash('sha256')
    .update(canonicalJson(hashedView(snapshot)), 'utf8')
    .digest('hex');
}

/**
 * The members of a tool that tell a model what it does and what it takes (MCP spec, server/tools): a change to
 * any of them is what a "rug pull" changes (issue 11 point 5, ADR 0044). `_meta`, `icons` and unknown members
 * are left out: they do not reach the model's prompt.
 */
const DEFINITION_MEMBERS = ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'];

/** SHA-256 (lowercase hex) of the canonical JSON of a tool's definition members. */
export function toolDefinitionHash(tool: Readonly<Record<string, unknown>>): string {
  const view: Record<string, unknown> = {};
  for (const k of DEFINITION_MEMBERS) if (tool[k] !== undefined) view[k] = tool[k];
  return createHash('sha256').update(canonicalJson(view), 'utf8').digest('hex');
}
