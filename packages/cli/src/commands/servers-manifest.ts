import { readFileSync } from 'node:fs';
import type { CurrentManifest, ManifestDrift, ManifestVersionPage } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption, serverEnvironmentOption } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import { oneLine } from '../output/sanitize.ts';
import { formatTable } from '../output/table.ts';
import { UsageError } from '../usage-error.ts';
import { SERVER_ARG, type ServerSelector, serverIdFor } from './server-arg.ts';

type Flags = ServerSelector & { json?: boolean };

export function formatManifest(m: CurrentManifest): string {
  return formatFields([
    ['Version', m.version],
    ['Status', m.status],
    ['Issuer', m.issuer],
    ['Key id', m.kid],
    ['Algorithm', m.alg],
    ['Policy hash', m.policyHash],
    [
      'Counts',
      `${m.counts.tools} tools, ${m.counts.resources} resources, ${m.counts.resourceTemplates} resource templates, ${m.counts.prompts} prompts`,
    ],
    ['Source', m.source],
    ['Created', `${m.createdAt} by ${m.createdBy}`],
  ]);
}

export function formatManifestVersions(p: ManifestVersionPage): string {
  if (p.items.length === 0) return 'no manifests';
  return formatTable(p.items, [
    { header: 'VERSION', value: (v) => v.version, align: 'right' },
    { header: 'STATE', value: (v) => v.state },
    { header: 'ISSUER', value: (v) => v.issuer, maxWidth: 30 },
    { header: 'KID', value: (v) => v.kid, maxWidth: 30 },
    { header: 'TOOLS', value: (v) => v.counts.tools, align: 'right' },
    { header: 'CREATED', value: (v) => v.createdAt },
  ]);
}

export function formatDrift(d: ManifestDrift): string {
  const lines = [`${d.status} against manifest version ${d.manifestVersion}`];
  for (const [key, label] of [
    ['tools', 'tools'],
    ['resources', 'resources'],
    ['resourceTemplates', 'resource templates'],
    ['prompts', 'prompts'],
  ] as const) {
    const k = d[key];
    if (k.added.length + k.removed.length + k.changed.length === 0) continue;
    lines.push(label);
    for (const n of k.added) lines.push(`  + ${oneLine(n)} (live, not in the manifest)`);
    for (const n of k.removed) lines.push(`  - ${oneLine(n)} (in the manifest, not live)`);
    for (const c of k.changed)
      lines.push(`  ~ ${oneLine(c.name)} (${c.changedFields.map(oneLine).join(', ')})`);
  }
  return lines.join('\n');
}

function readJws(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return text.trim();
}

/** `servers manifest ...`: a server's signed capability manifests (ADR 0015). */
export function serversManifestCommand(servers: Command, ctx: CommandContext): void {
  const manifest = servers.command('manifest').description("a server's signed capability manifest");
  const one = (name: string, description: string) =>
    manifest
      .command(name)
      .description(description)
      .argument(...SERVER_ARG)
      .addOption(serverEnvironmentOption());

  one('show', 'the current manifest')
    .addOption(jsonOption())
    .action(async (ref: string, flags: Flags, self: Command) => {
      const client = ctx.client(self);
      const m = await client.manifests.current(await serverIdFor(client, ref, flags));
      if (flags.json) return ctx.json(m);
      ctx.out(formatManifest(m));
    });

  one('submit', 'verify a signed manifest (compact JWS) against the trust store and make it current')
    .requiredOption('--file <path>', 'the compact JWS')
    .addOption(jsonOption())
    .action(async (ref: string, flags: Flags & { file: string }, self: Command) => {
      const jws = readJws(flags.file);
      const client = ctx.client(self);
      const m = await client.manifests.submit(await serverIdFor(client, ref, flags), jws);
      if (flags.json) return ctx.json(m);
      ctx.out(`manifest version ${m.version} is current (${m.status})`);
    });

  one('versions', 'manifest versions, newest first')
    .addOption(jsonOption())
    .action(async (ref: string, flags: Flags, self: Command) => {
      const client = ctx.client(self);
      const page = await client.manifests.versions(await serverIdFor(client, ref, flags));
      if (flags.json) return ctx.json(page);
      ctx.out(formatManifestVersions(page));
    });

  one('rollback', 'make the last earlier manifest that still verifies current')
    .addOption(jsonOption())
    .action(async (ref: string, flags: Flags, self: Command) => {
      const client = ctx.client(self);
      const m = await client.manifests.rollback(await serverIdFor(client, ref, flags));
      if (flags.json) return ctx.json(m);
      ctx.out(`rolled back: manifest version ${m.version} is current (${m.status})`);
    });

  one('drift', 'compare the live capabilities with the manifest')
    .addOption(jsonOption())
    .action(async (ref: string, flags: Flags, self: Command) => {
      const client = ctx.client(self);
      const d = await client.manifests.drift(await serverIdFor(client, ref, flags));
      if (flags.json) return ctx.json(d);
      ctx.out(formatDrift(d));
    });
}
