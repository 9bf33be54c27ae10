import { describe, expect, it } from 'vitest';
import { checkPort, egressPorts, parseEgressPorts } from './ports.ts';

const FIX = 'use ports from 1 to 65535 and ranges such as 8000-8999; unset it for 80,443';

describe('SPRINTCONNECT_EGRESS_PORTS at its edges', () => {
  it('takes the entries already split by config', () => {
    expect(parseEgressPorts(['443', ' 80 ', ''])).toEqual({
      ok: true,
      ports: {
        ranges: [
          [80, 80],
          [443, 443],
        ],
        text: '80,443',
      },
    });
  });

  it.each(['x80', '80x', '1-2-3', '-80'])('refuses %s, saying how to write a port', (entry) => {
    expect(parseEgressPorts(entry)).toEqual({
      ok: false,
      errors: [`SPRINTCONNECT_EGRESS_PORTS: "${entry}" is neither a port nor a range; ${FIX}`],
    });
  });

  it('refuses a list with no port in it rather than allowing none', () => {
    expect(parseEgressPorts(' , ')).toEqual({
      ok: false,
      errors: [`SPRINTCONNECT_EGRESS_PORTS lists no port; ${FIX}`],
    });
  });

  it('joins ranges that touch, as well as ranges that overlap', () => {
    expect(egressPorts('8500-8999,8000-8499').text).toBe('8000-8999');
    expect(egressPorts('80,81').text).toBe('80-81');
    expect(egressPorts('80,82').text).toBe('80,82');
  });

  it('throws on a list known to be valid that is not, listing every problem', () => {
    expect(() => egressPorts('0,x')).toThrow(
      new TypeError(
        `SPRINTCONNECT_EGRESS_PORTS: "0" is neither a port nor a range; ${FIX}; SPRINTCONNECT_EGRESS_PORTS: "x" is neither a port nor a range; ${FIX}`,
      ),
    );
  });

  it('refuses a number above 65535 as no port at all, even when every port is allowed', () => {
    expect(checkPort(65_536, egressPorts('1-65535'))).toEqual({
      ok: false,
      code: 'egress_port_not_allowed',
      detail:
        'port 65536 is not a port: outbound calls use ports from 1 to 65535 (SPRINTCONNECT_EGRESS_PORTS cannot allow it)',
    });
    expect(checkPort(65_535, egressPorts('1-65535')).ok).toBe(true);
  });

  it('says a bad port is always refused and cannot be allowed', () => {
    expect(checkPort(6000, egressPorts('1-65535'))).toEqual({
      ok: false,
      code: 'egress_bad_port',
      detail:
        'port 6000 is a "bad port" in the Fetch Standard (port blocking); it is always refused and SPRINTCONNECT_EGRESS_PORTS cannot allow it',
    });
  });
});
