import { describe, expect, it } from 'vitest';
import { BAD_PORTS, checkPort, DEFAULT_PORTS, egressPorts, parseEgressPorts } from './ports.ts';

describe('parseEgressPorts', () => {
  it('reads ports and ranges, sorted and merged, and writes them back as an operator would', () => {
    const parsed = parseEgressPorts(' 8000-8999 ,443,80, 8080, 8500-9100 ');
    expect(parsed.ok && parsed.ports).toEqual({
      ranges: [
        [80, 80],
        [443, 443],
        [8000, 9100],
      ],
      text: '80,443,8000-9100',
    });
  });

  it('lists every bad entry, each naming SPRINTCONNECT_EGRESS_PORTS', () => {
    const parsed = parseEgressPorts('0,65536,20-10,x,8080-,25');
    expect(parsed.ok ? [] : parsed.errors).toHaveLength(6);
    expect(parsed.ok ? [] : parsed.errors.every((e) => e.startsWith('SPRINTCONNECT_EGRESS_PORTS'))).toBe(
      true,
    );
  });

  it('defaults to 80 and 443 only', () => {
    expect(DEFAULT_PORTS.text).toBe('80,443');
  });
});

describe('checkPort', () => {
  it.each([6379, 5432, 2375, 8080, 65535])(
    'refuses %i under the default list, naming the setting and the fix',
    (port) => {
      expect(checkPort(port, DEFAULT_PORTS)).toEqual({
        ok: false,
        code: 'egress_port_not_allowed',
        detail: `port ${port} is not in SPRINTCONNECT_EGRESS_PORTS (80,443); to allow it, add ${port} to SPRINTCONNECT_EGRESS_PORTS`,
      });
    },
  );

  it('refuses port 0 as no port at all, without suggesting a list that cannot allow it', () => {
    for (const ports of [DEFAULT_PORTS, egressPorts('1-65535')]) {
      const r = checkPort(0, ports);
      expect(r).toMatchObject({ ok: false, code: 'egress_port_not_allowed' });
      expect(r.ok ? '' : r.detail).toBe(
        'port 0 is not a port: outbound calls use ports from 1 to 65535 (SPRINTCONNECT_EGRESS_PORTS cannot allow it)',
      );
    }
  });

  it('allows the ports the list names, ranges inclusive', () => {
    const ports = egressPorts('80,443,8000-8999');
    for (const port of [80, 443, 8000, 8500, 8999]) expect(checkPort(port, ports).ok).toBe(true);
    for (const port of [81, 444, 7999, 9000]) expect(checkPort(port, ports).ok).toBe(false);
  });

  it('refuses every Fetch "bad port" even when the list allows all ports', () => {
    const all = egressPorts('1-65535');
    for (const port of BAD_PORTS) {
      const verdict = checkPort(port, all);
      expect(verdict.ok ? 'ok' : verdict.code).toBe('egress_bad_port');
      expect(verdict.ok ? '' : verdict.detail).toMatch(/SPRINTCONNECT_EGRESS_PORTS cannot allow it/);
    }
  });
});
