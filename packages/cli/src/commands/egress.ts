import { readFileSync } from 'node:fs';
import type { EgressCheck, EgressPolicyInput, EgressPolicyView } from '@sprintconnect/sdk';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { collectList, jsonOption, limitOrDefault, orNull } from '../options.ts';
import { formatFields } from '../output/fields.ts';
import { UsageError } from '../usage-error.ts';

export function describeEgress(p: EgressPolicyView): string {
  const list = (xs: readonly (string | number)[]) => (xs.length === 0 ? null : xs.join(', '));
  return formatFields([
    ['Allow', p.allow.length === 0 ? 'anything the platform allows' : p.allow.join(', ')],
    ['Deny', list(p.deny)],
    ['Denied ports', list(p.deniedPorts)],
    [
      'Rate limit',
      `${p.effectiveRateLimitPerMinute}/min${p.rateLimitPerMinute === null ? ' (platform default)' : ''}`,
    ],
    ['Version', p.version],
    ['Updated', p.updatedAt === null ? null : `${p.updatedAt} by ${p.updatedBy ?? '?'}`],
  ]);
}

export function describeCheck(c: EgressCheck): string {
  return formatFields([
    ['Decision', c.allowed ? 'allowed' : `refused (${c.code ?? 'refused'})`],
    ['Rule', c.rule],
    ['Detail', c.detail],
    ['Addresses', c.addresses.length === 0 ? null : c.addresses.join(', ')],
  ]);
}

function port(value: string, previous: readonly number[] = []): number[] {
  const ports = collectList(value).map((p) => {
    if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) {
      throw new InvalidArgumentError('expected port numbers from 1 to 65535.');
    }
    return Number(p);
  });
  return [...previous, ...ports];
}

interface SetFlags {
  file?: string;
  allow: string[];
  deny: string[];
  deniedPort: number[];
  rateLimit?: number | 'default';
  json?: boolean;
}

/** The PUT body: a whole policy from `--file`, or the one the flags describe (what they leave out is cleared). */
export function egressBody(flags: SetFlags, readFile: (path: string) => string): EgressPolicyInput {
  const fromFlags =
    flags.allow.length + flags.deny.length + flags.deniedPort.length > 0 || flags.rateLimit !== undefined;
  if (flags.file !== undefined) {
    if (fromFlags) throw new UsageError('give --file or the rule flags, not both');
    try {
      return JSON.parse(readFile(flags.file)) as EgressPolicyInput;
    } catch (e) {
      throw new UsageError(`cannot read the policy in ${flags.file}: ${(e as Error).message}`);
    }
  }
  return {
    allow: flags.allow,
    deny: flags.deny,
    deniedPorts: flags.deniedPort,
    ...(flags.rateLimit === undefined ? {} : { rateLimitPerMinute: orNull(flags.rateLimit) }),
  };
}

/** `egress`: the org's outbound rules (story 8.3, ADR 0014) and their dry run. */
export function egressCommand(program: Command, ctx: CommandContext): void {
  const egress = program.command('egress').description("the organization's outbound rules");

  egress
    .command('show')
    .description('the rules in force')
    .addOption(jsonOption())
    .action(async (flags: { json?: boolean }, self: Command) => {
      const policy = await ctx.client(self).egress.get();
      if (flags.json) return ctx.json(policy);
      ctx.out(describeEgress(policy));
    });

  egress
    .command('set')
    .description('replace the rules: what the flags (or the file) leave out is cleared')
    .option('--file <path>', 'the whole policy as JSON: {allow, deny, deniedPorts, rateLimitPerMinute}')
    .option(
      '--allow <entry>',
      'reach only these: host, *.suffix or CIDR (repeatable, or comma-separated)',
      collectList,
      [],
    )
    .option('--deny <entry>', 'never reach these (repeatable, or comma-separated)', collectList, [])
    .option('--denied-port <port>', 'never connect to these ports (repeatable, or comma-separated)', port, [])
    .addOption(
      new Option('--rate-limit <n>', 'outbound requests per minute for the org, or `default`').argParser(
        limitOrDefault,
      ),
    )
    .addOption(jsonOption())
    .action(async (flags: SetFlags, self: Command) => {
      const body = egressBody(flags, (path) => readFileSync(path, 'utf8'));
      const policy = await ctx.client(self).egress.put(body);
      if (flags.json) return ctx.json(policy);
      ctx.out(`egress rules version ${policy.version}`);
      ctx.out(describeEgress(policy));
    });

  egress
    .command('check')
    .description('would a call to this URL be allowed now, and by which rule (nothing is sent)')
    .argument('<url>', 'e.g. https://mcp.example.com/mcp')
    .addOption(jsonOption())
    .action(async (url: string, flags: { json?: boolean }, self: Command) => {
      const check = await ctx.client(self).egress.check(url);
      if (flags.json) return ctx.json(check);
      ctx.out(describeCheck(check));
    });
}
