import { readFileSync } from 'node:fs';
import type { DryRunInput, DryRunResult, SprintConnectClient } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption, serverEnvironmentOption } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import type { Environment } from '../resolve/servers.ts';
import { UsageError } from '../usage-error.ts';
import { apiKeyIdFor } from './api-keys.ts';
import { serverIdFor } from './server-arg.ts';
import { userIdFor } from './users.ts';

export interface DryRunFlags {
  action: string;
  principal?: string;
  server?: string;
  environment?: Environment;
  capability?: string;
  resource?: string;
  policyFile?: string;
  name?: string;
  json?: boolean;
}

const PRINCIPAL_KINDS = ['user', 'client', 'api_key'] as const;

/** `kind:rest` split at the first colon (names and emails may hold more). */
function splitRef(value: string, what: string, example: string): [string, string] {
  const i = value.indexOf(':');
  if (i <= 0 || i === value.length - 1)
    throw new UsageError(`${what} must look like ${example} (got "${value}")`);
  return [value.slice(0, i), value.slice(i + 1)];
}

/**
 * The dry-run request the flags describe. Names on the command line (a server, a user's email, an API key's
 * name) are turned into ids; a server or a capability is sent by id, and the API looks up its attributes.
 */
export async function dryRunBody(
  client: SprintConnectClient,
  flags: DryRunFlags,
  readPolicy: (path: string) => string,
): Promise<DryRunInput> {
  const resourceFlags = [flags.server, flags.resource].filter((x) => x !== undefined).length;
  if (resourceFlags !== 1)
    throw new UsageError('name the resource: --server <server> or --resource <type>[:<id>]');
  if (flags.capability !== undefined && flags.server === undefined) {
    throw new UsageError('--capability needs --server (the server it belongs to)');
  }
  const body: DryRunInput = { action: flags.action, resource: { type: 'org' } };
  if (flags.server !== undefined) {
    const id = await serverIdFor(client, flags.server, flags);
    if (flags.capability === undefined) {
      body.resource = { type: 'server', id };
    } else {
      const [kind, name] = splitRef(flags.capability, '--capability', 'tool:get_forecast');
      // A capability's id, as the API names it: `<server id>/<kind>/<name>`.
      body.resource = { type: 'capability', id: `${id}/${kind}/${name}` };
    }
  } else if (flags.resource !== undefined) {
    const i = flags.resource.indexOf(':');
    body.resource =
      i < 0
        ? { type: flags.resource }
        : { type: flags.resource.slice(0, i), id: flags.resource.slice(i + 1) };
  }
  if (flags.principal !== undefined) {
    const [kind, ref] = splitRef(flags.principal, '--principal', 'user:ada@example.com');
    if (!(PRINCIPAL_KINDS as readonly string[]).includes(kind)) {
      throw new UsageError(`--principal kind must be one of ${PRINCIPAL_KINDS.join(', ')} (got "${kind}")`);
    }
    const id =
      kind === 'user'
        ? await userIdFor(client, ref)
        : kind === 'api_key'
          ? await apiKeyIdFor(client, ref)
          : ref;
    body.principal = { kind: kind as (typeof PRINCIPAL_KINDS)[number], id };
  }
  if (flags.policyFile !== undefined) body.policy = readPolicy(flags.policyFile);
  if (flags.name !== undefined) {
    if (flags.policyFile === undefined) throw new UsageError('--name names the candidate of --policy-file');
    body.name = flags.name;
  }
  return body;
}

export function formatDryRun(r: DryRunResult): string {
  return formatFields([
    ['Decision', r.allowed ? 'allowed' : 'denied'],
    ['Detail', r.detail],
    ['Policies', r.determiningPolicies.length === 0 ? null : r.determiningPolicies.join(', ')],
    ['Reasons', r.reasons.length === 0 ? null : r.reasons.join('; ')],
    ['Errors', r.errors.length === 0 ? null : r.errors.join('; ')],
    ['Redact', r.obligations.redact.length === 0 ? null : r.obligations.redact.join(', ')],
    ['Throttle', r.obligations.throttle],
    ['Candidate', r.candidate ? 'yes' : 'no'],
    ['Set version', r.version],
    ['Decision id', r.decisionId],
  ]);
}

/** `policies dry-run`: would this be allowed, and why (POST /v1/policies/dry-run); saves nothing. */
export function policiesDryRunCommand(policies: Command, ctx: CommandContext): void {
  policies
    .command('dry-run')
    .description(
      'would a principal be allowed an action on a resource, and why (optionally with a candidate policy)',
    )
    .requiredOption('--action <permission>', 'a permission from docs/permissions.md, e.g. servers:read')
    .option(
      '--principal <kind:ref>',
      'user:<id or email>, client:<client id> or api_key:<id or name> (default: you)',
    )
    .option('--server <server>', 'the resource is this server (name or id)')
    .addOption(serverEnvironmentOption())
    .option('--capability <kind:name>', 'with --server: one of its capabilities, e.g. tool:get_forecast')
    .option('--resource <type[:id]>', 'another resource, e.g. org or role:<id>')
    .option('--policy-file <path>', 'decide with this candidate Cedar policy added (not saved)')
    .option(
      '--name <name>',
      "the candidate's name; an existing policy's name makes it stand in for that policy",
    )
    .addOption(jsonOption())
    .action(async (flags: DryRunFlags, self: Command) => {
      const client = ctx.client(self);
      const body = await dryRunBody(client, flags, (path) => {
        try {
          return readFileSync(path, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
        }
      });
      const result = await client.policies.dryRun(body);
      if (flags.json) return ctx.json(result);
      ctx.out(formatDryRun(result));
    });
}
