/**
 * The tools a server's current verified manifest states, for modules that serve only signed definitions
 * (virtual servers in `manifest` pinning, ADR 0044). A manifest pins the members it states and nothing else
 * (ADR 0015), so "matches" is member-wise JSON equality, the same rule as the manifest's drift check.
 */
import type { Tx } from '../../platform/db/index.ts';
import { type JsonObject, jsonEqual } from './drift.ts';
import * as repo from './manifests.repo.ts';

export interface ManifestTools {
  /** The manifest's version (1, 2, ... per server). */
  readonly version: number;
  /** Its tools by name, as stated. */
  readonly tools: ReadonlyMap<string, JsonObject>;
}

/** The current manifest's tools of one server; undefined when it has no manifest. */
export async function currentManifestTools(
  tx: Tx,
  orgId: string,
  serverId: string,
): Promise<ManifestTools | undefined> {
  const row = await repo.findCurrent(tx, orgId, serverId);
  if (row === undefined) return undefined;
  const tools = new Map<string, JsonObject>();
  for (const t of ((row.payload as { tools?: unknown }).tools ?? []) as JsonObject[]) {
    if (typeof t.name === 'string' && !tools.has(t.name)) tools.set(t.name, t);
  }
  return { version: row.version, tools };
}

/** A live tool matches its stated definition when every member the manifest states is equal live. */
export function matchesStated(stated: JsonObject, live: Readonly<Record<string, unknown>>): boolean {
  return Object.keys(stated).every((k) => stated[k] === undefined || jsonEqual(stated[k], live[k]));
}
