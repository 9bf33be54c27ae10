import { classifyAddress } from './address.ts';
import type { EgressAllowlist } from './allowlist.ts';
import { allowsAddress, allowsHost } from './allowlist.ts';
import type { EgressResult } from './errors.ts';
import { ALLOW_SETTING, fail } from './errors.ts';

/**
 * Decides whether a connection to `ip` may be opened. `hostname` is the name the address was resolved from,
 * if any: an allowlisted name permits the private addresses it resolves to. Metadata addresses are refused
 * even when allowlisted, because reaching them from a server means handing out the server's cloud
 * credentials.
 */
export function checkAddress(
  ip: string,
  allow: EgressAllowlist,
  hostname?: string,
): EgressResult<{ readonly address: string }> {
  const verdict = classifyAddress(ip);
  const subject = describe(ip, verdict.address, hostname);
  switch (verdict.kind) {
    case 'public':
      return { ok: true, address: ip };
    case 'invalid':
      return fail('egress_address_blocked', `${subject} is not a valid IP address`);
    case 'metadata':
      return fail(
        'egress_metadata_blocked',
        `${subject} is a cloud metadata address; it is always blocked and ${ALLOW_SETTING} cannot allow it`,
      );
    case 'blocked': {
      if (allowsAddress(allow, ip)) return { ok: true, address: ip };
      if (hostname !== undefined && allowsHost(allow, hostname)) return { ok: true, address: ip };
      const cidr = `${verdict.address}/${verdict.address.includes(':') ? 128 : 32}`;
      const fix = hostname === undefined ? cidr : `${hostname} or ${cidr}`;
      return fail(
        'egress_address_blocked',
        `${subject} is ${verdict.label}; to allow it, add ${fix} to ${ALLOW_SETTING}`,
      );
    }
  }
}

/** "10.0.0.5", "::ffff:a00:5 (which embeds 10.0.0.5)", "db.test resolves to 10.0.0.5, which". */
function describe(ip: string, judged: string, hostname: string | undefined): string {
  const addr = judged === ip ? ip : `${ip} (which embeds ${judged})`;
  return hostname === undefined ? addr : `${hostname} resolves to ${addr}, which`;
}
