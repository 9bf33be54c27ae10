/**
 * The signed payload of a manifest: UTF-8 JSON (RFC 7515 leaves the payload to the application) matching
 * `ManifestPayloadSchema`, with each capability named once per kind, and canonicalizable (I-JSON), so its
 * policy hash is defined.
 */

import { Value } from '@sinclair/typebox/value';
import { type ManifestPayload, ManifestPayloadSchema } from '@sprintconnect/contracts';
import type { FieldError } from '../../kernel/index.ts';
import { KINDS } from './drift.ts';
import { NotCanonicalizable, policyHash } from './jcs.ts';
import { manifestRefused } from './trust.errors.ts';

const MAX_ERRORS = 20;
const IDENTITY = {
  tools: 'name',
  resources: 'uri',
  resourceTemplates: 'uriTemplate',
  prompts: 'name',
} as const;

const refuse = (detail: string, problems: string[]) =>
  manifestRefused(
    'manifest_invalid',
    detail,
    problems.slice(0, MAX_ERRORS).map((p): FieldError => ({ pointer: '/manifest', detail: `payload ${p}` })),
  );

function duplicates(payload: ManifestPayload): string[] {
  const out: string[] = [];
  for (const kind of KINDS) {
    const key = IDENTITY[kind];
    const seen = new Set<string>();
    (payload[kind] ?? []).forEach((item, i) => {
      const id = String((item as Record<string, unknown>)[key]);
      if (seen.has(id)) out.push(`/${kind}/${i}/${key}: ${JSON.stringify(id)} is listed twice`);
      seen.add(id);
    });
  }
  return out;
}

/** Decodes and checks the payload; returns it with its policy hash, or throws `manifest_invalid`. */
export function readManifestPayload(bytes: Uint8Array): { payload: ManifestPayload; policyHash: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw refuse('The manifest payload is not UTF-8 JSON.', []);
  }
  if (!Value.Check(ManifestPayloadSchema, parsed)) {
    const problems = [...Value.Errors(ManifestPayloadSchema, parsed)].map(
      (e) => `${e.path || '/'}: ${e.message}`,
    );
    throw refuse('The manifest payload does not match the manifest schema.', problems);
  }
  const dups = duplicates(parsed);
  if (dups.length > 0) throw refuse('The manifest names a capability twice.', dups);
  try {
    return { payload: parsed, policyHash: policyHash(parsed) };
  } catch (e) {
    if (e instanceof NotCanonicalizable) throw refuse('The manifest payload is not I-JSON.', [e.message]);
    throw e;
  }
}
