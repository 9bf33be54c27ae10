import { readFileSync } from 'node:fs';
import type { SprintConnectClient, TrustKey, TrustKeyInput, TrustSettings } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { jsonOption } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import { oneLine } from '../output/sanitize.ts';
import { formatTable } from '../output/table.ts';
import { isUuid, pickOne } from '../resolve/pick.ts';
import { UsageError } from '../usage-error.ts';

const KEY_COLUMNS = [
  { header: 'ID', value: (k: TrustKey) => k.id },
  { header: 'ISSUER', value: (k: TrustKey) => k.issuer, maxWidth: 40 },
  { header: 'KID', value: (k: TrustKey) => k.kid, maxWidth: 45 },
  { header: 'ALG', value: (k: TrustKey) => k.alg },
  { header: 'THUMBPRINT', value: (k: TrustKey) => k.thumbprint },
  { header: 'CREATED', value: (k: TrustKey) => k.createdAt },
];

export function describeKey(k: TrustKey): string {
  return formatFields([
    ['ID', k.id],
    ['Issuer', k.issuer],
    ['Key id', k.kid],
    ['Algorithm', k.alg],
    ['Thumbprint', k.thumbprint],
    ['Created', `${k.createdAt} by ${k.createdBy}`],
  ]);
}

const describeSettings = (s: TrustSettings) =>
  formatFields([['Require signed manifests', s.requireSignedManifests ? 'yes' : 'no']]);

/** A trusted key named on the command line: its id or its `kid`. */
async function keyIdFor(client: SprintConnectClient, ref: string): Promise<string> {
  if (isUuid(ref)) return ref;
  const { items } = await client.trust.keys.list();
  return pickOne(
    ref,
    items.filter((k) => k.kid === ref),
    {
      what: 'trusted key',
      matched: 'with the kid',
      columns: KEY_COLUMNS,
      listCommand: 'sprintconnect trust keys list',
    },
  ).id;
}

/** The JWK in `--jwk-file` (a public JWK as JSON); the server refuses private keys and other algorithms. */
export function readJwk(text: string, file: string): TrustKeyInput['jwk'] {
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not a JWK in JSON: ${(e as Error).message}`);
  }
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk))
    throw new UsageError(`${file}: expected a JWK object`);
  return jwk as TrustKeyInput['jwk'];
}

/** `trust`: the trust store of manifest signing keys and the signed-manifest setting (story 8.4, ADR 0015). */
export function trustCommand(program: Command, ctx: CommandContext): void {
  const trust = program
    .command('trust')
    .description('keys that sign capability manifests, and the trust settings');
  const keys = trust.command('keys').description('the trust store');

  keys
    .command('list')
    .description('the public keys whose signatures the organization trusts')
    .addOption(jsonOption())
    .action(async (flags: { json?: boolean }, self: Command) => {
      const list = await ctx.client(self).trust.keys.list();
      if (flags.json) return ctx.json(list);
      ctx.out(list.items.length === 0 ? 'no trusted keys' : formatTable(list.items, KEY_COLUMNS));
    });

  keys
    .command('add')
    .description('trust a public signing key (Ed25519 or P-256 JWK)')
    .requiredOption('--issuer <name>', 'who signs with it; manifests name it in `iss`')
    .requiredOption('--jwk-file <path>', 'the public key as a JWK (JSON)')
    .addOption(jsonOption())
    .action(async (flags: { issuer: string; jwkFile: string; json?: boolean }, self: Command) => {
      let text: string;
      try {
        text = readFileSync(flags.jwkFile, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read ${flags.jwkFile}: ${(e as Error).message}`);
      }
      const key = await ctx
        .client(self)
        .trust.keys.add({ issuer: flags.issuer, jwk: readJwk(text, flags.jwkFile) });
      if (flags.json) return ctx.json(key);
      ctx.out(describeKey(key));
    });

  keys
    .command('remove')
    .description('stop trusting a key (manifests it signed no longer verify for new submissions)')
    .argument('<key>', 'key id or kid')
    .action(async (ref: string, _flags: unknown, self: Command) => {
      const client = ctx.client(self);
      const id = await keyIdFor(client, ref);
      await client.trust.keys.remove(id);
      ctx.out(`removed trusted key ${oneLine(ref)}${ref === id ? '' : ` (${id})`}`);
    });

  const settings = trust.command('settings').description('whether registrations need a signed manifest');
  settings
    .command('show')
    .description('the trust settings')
    .addOption(jsonOption())
    .action(async (flags: { json?: boolean }, self: Command) => {
      const s = await ctx.client(self).trust.settings.get();
      if (flags.json) return ctx.json(s);
      ctx.out(describeSettings(s));
    });
  settings
    .command('set')
    .description('change the trust settings')
    .option('--require-signed-manifests', 'refuse registrations without a trusted signed manifest')
    .option('--no-require-signed-manifests', 'accept registrations without one')
    .addOption(jsonOption())
    .action(async (flags: { requireSignedManifests?: boolean; json?: boolean }, self: Command) => {
      if (flags.requireSignedManifests === undefined) {
        throw new UsageError('give --require-signed-manifests or --no-require-signed-manifests');
      }
      const s = await ctx
        .client(self)
        .trust.settings.set({ requireSignedManifests: flags.requireSignedManifests });
      if (flags.json) return ctx.json(s);
      ctx.out(describeSettings(s));
    });
}
