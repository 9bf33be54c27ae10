import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Policy, SprintConnectClient, UpdatePolicyInput } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption } from '../options.ts';
import { oneLine } from '../output/sanitize.ts';
import { UsageError } from '../usage-error.ts';

/** One policy as a file states it. `description` and `enabled` absent: left as they are on an update. */
export interface DesiredPolicy {
  file: string;
  name: string;
  policy: string;
  description?: string;
  enabled?: boolean;
}

export type PlannedChange =
  | { action: 'create'; desired: DesiredPolicy }
  | { action: 'update'; desired: DesiredPolicy; id: string; patch: UpdatePolicyInput }
  | { action: 'unchanged'; desired: DesiredPolicy; current: Policy };

interface ApplyFlags {
  name?: string;
  description?: string;
  disabled?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * The policies the files state. A `.json` file holds one `{name, policy, description?, enabled?}` or a list
 * of them; any other file is one Cedar policy, named by `--name` or by the file name without its extension.
 */
export function parsePolicyFiles(
  files: readonly { path: string; text: string }[],
  flags: ApplyFlags,
): DesiredPolicy[] {
  if (flags.name !== undefined && files.length > 1)
    throw new UsageError('--name names one policy: give one file');
  const out: DesiredPolicy[] = [];
  for (const { path, text } of files) {
    if (extname(path).toLowerCase() === '.json') {
      out.push(...fromJson(path, text));
      continue;
    }
    const d: DesiredPolicy = {
      file: path,
      name: flags.name ?? basename(path, extname(path)),
      policy: text,
      // The file is the policy as it should run: applying it (again) enables it unless --disabled says not.
      enabled: flags.disabled !== true,
    };
    if (flags.description !== undefined) d.description = flags.description;
    out.push(d);
  }
  const seen = new Set<string>();
  for (const d of out) {
    if (seen.has(d.name)) throw new UsageError(`the policy "${oneLine(d.name)}" is given twice`);
    seen.add(d.name);
  }
  return out;
}

function fromJson(path: string, text: string): DesiredPolicy[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const list = Array.isArray(value) ? value : [value];
  return list.map((v, i) => {
    const at = Array.isArray(value) ? `${path} [${i}]` : path;
    if (v === null || typeof v !== 'object') throw new UsageError(`${at}: expected an object`);
    const o = v as Record<string, unknown>;
    if (typeof o['name'] !== 'string' || typeof o['policy'] !== 'string') {
      throw new UsageError(`${at}: "name" and "policy" must be strings`);
    }
    const extra = Object.keys(o).filter((k) => !['name', 'policy', 'description', 'enabled'].includes(k));
    if (extra.length > 0)
      throw new UsageError(`${at}: unknown member ${extra.map((k) => `"${k}"`).join(', ')}`);
    const d: DesiredPolicy = { file: path, name: o['name'], policy: o['policy'] };
    if (o['description'] !== undefined) {
      if (typeof o['description'] !== 'string') throw new UsageError(`${at}: "description" must be a string`);
      d.description = o['description'];
    }
    if (o['enabled'] !== undefined) {
      if (typeof o['enabled'] !== 'boolean') throw new UsageError(`${at}: "enabled" must be true or false`);
      d.enabled = o['enabled'];
    }
    return d;
  });
}

/** What applying changes: create what is new, update only the fields that differ, leave equal ones alone. */
export function planApply(current: readonly Policy[], desired: readonly DesiredPolicy[]): PlannedChange[] {
  const byName = new Map(current.map((p) => [p.name, p]));
  return desired.map((d) => {
    const p = byName.get(d.name);
    if (p === undefined) return { action: 'create', desired: d };
    const patch: UpdatePolicyInput = {};
    if (p.policy !== d.policy) patch.policy = d.policy;
    if (d.description !== undefined && p.description !== d.description) patch.description = d.description;
    if (d.enabled !== undefined && p.enabled !== d.enabled) patch.enabled = d.enabled;
    return Object.keys(patch).length === 0
      ? { action: 'unchanged', desired: d, current: p }
      : { action: 'update', desired: d, id: p.id, patch };
  });
}

function readFiles(paths: readonly string[]): { path: string; text: string }[] {
  return paths.map((path) => {
    try {
      return { path, text: readFileSync(path, 'utf8') };
    } catch (e) {
      throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
    }
  });
}

async function execute(client: SprintConnectClient, c: PlannedChange): Promise<Policy> {
  const d = c.desired;
  if (c.action === 'unchanged') return c.current;
  if (c.action === 'update') return client.policies.update(c.id, c.patch);
  return client.policies.create({
    name: d.name,
    policy: d.policy,
    ...(d.description === undefined ? {} : { description: d.description }),
    ...(d.enabled === undefined ? {} : { enabled: d.enabled }),
  });
}

/**
 * `policies apply`: makes the org policies named in the files what the files say, by name (create or update),
 * one version per change. `--dry-run` has the server validate each text with the current set and saves nothing.
 */
export function policiesApplyCommand(policies: Command, ctx: CommandContext): void {
  policies
    .command('apply')
    .description('create or update org policies from files (.cedar: one policy; .json: {name, policy, ...})')
    .argument('<files...>', 'policy files')
    .option('--name <name>', 'the policy name (one .cedar file; default: the file name without extension)')
    .option('--description <text>', 'description for a .cedar file')
    .option('--disabled', 'store a .cedar file disabled')
    .option('--dry-run', 'validate against the current set and show what would change; save nothing')
    .addOption(
      jsonOption('print {"items": [{"action", "policy"}]} on stdout, `policy` as the API returns it'),
    )
    .action(async (paths: string[], flags: ApplyFlags, self: Command) => {
      const desired = parsePolicyFiles(readFiles(paths), flags);
      const client = ctx.client(self);
      const current: Policy[] = [];
      for await (const p of client.policies.all()) current.push(p);
      const plan = planApply(current, desired);
      if (flags.dryRun) {
        for (const c of plan) {
          // The server's own validation (422 policy_invalid with line and column), with nothing saved.
          await client.policies.dryRun({
            action: 'policies:read',
            resource: { type: 'org' },
            policy: c.desired.policy,
            name: c.desired.name,
          });
          if (!flags.json)
            ctx.out(`${c.action === 'unchanged' ? 'unchanged' : `would ${c.action}`} org/${c.desired.name}`);
        }
        if (flags.json) ctx.json({ items: plan.map((c) => ({ action: c.action, name: c.desired.name })) });
        return;
      }
      const items: { action: string; policy: Policy }[] = [];
      for (const c of plan) {
        const result = await execute(client, c).catch((e: unknown) => {
          ctx.err(`${c.desired.file}: policy ${oneLine(c.desired.name)} was not ${c.action}d`);
          throw e;
        });
        items.push({ action: c.action === 'unchanged' ? 'unchanged' : `${c.action}d`, policy: result });
        if (!flags.json) ctx.out(`${items.at(-1)!.action} ${result.policyId}`);
      }
      if (flags.json) ctx.json({ items });
    });
}
