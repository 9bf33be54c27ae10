/**
 * How many attempts a process runs at once, and how they are shared (issue 8, point 17). Jobs such as
 * discovery and health checks wait on sockets, not on the CPU, so a slot is cheap (a pending promise and a
 * socket) and a process runs many. Two caps keep one tenant's or one upstream's trouble its own:
 * - per org: enforced when messages are fetched (pg-boss leaves an org at its cap out of the fetch), so an
 *   org's hanging servers occupy at most its share and never hold a slot another org could use;
 * - per host: enforced when an attempt starts (the host is known only then); an attempt whose host is at its
 *   cap is parked, to be delivered again a moment later, and costs no attempt.
 */
export interface SlotCaps {
  /** Attempts this process runs at once, per job kind. */
  readonly perProcess: number;
  /** Attempts of one org this process runs at once, per job kind. */
  readonly perOrg: number;
  /** Attempts against one upstream (URL host and port) this process runs at once, all job kinds together. */
  readonly perHost: number;
}

/**
 * 32 slots: a waiting attempt holds one socket and a few kilobytes, so even 32 hanging servers cost little.
 * 8 per org: a quarter of the process, so at least four tenants are served at full speed while one is stuck.
 * 4 per host: about what browsers open to one HTTP/1.1 origin (6); an MCP server sees at most 4 concurrent
 * discoveries from one process, however many servers are registered on it.
 */
export const DEFAULT_SLOT_CAPS: SlotCaps = Object.freeze({ perProcess: 32, perOrg: 8, perHost: 4 });

export function resolveSlotCaps(partial: Partial<SlotCaps> | undefined): SlotCaps {
  const caps = { ...DEFAULT_SLOT_CAPS, ...partial };
  for (const [name, v] of Object.entries(caps)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`job slot cap ${name} must be a whole number >= 1`);
  }
  return Object.freeze({ ...caps, perOrg: Math.min(caps.perOrg, caps.perProcess) });
}

export interface HostGate {
  /** Takes a slot on `host`, or returns undefined when the host is at its cap. Call the result to give it back. */
  tryTake(host: string): (() => void) | undefined;
  inUse(host: string): number;
}

/** The per-host cap of one process: a counter per host, forgotten when it drops to zero. */
export function createHostGate(perHost: number): HostGate {
  const used = new Map<string, number>();
  return {
    tryTake(host) {
      const key = host.toLowerCase();
      const n = used.get(key) ?? 0;
      if (n >= perHost) return undefined;
      used.set(key, n + 1);
      let given = false;
      return () => {
        if (given) return;
        given = true;
        const left = (used.get(key) ?? 1) - 1;
        if (left <= 0) used.delete(key);
        else used.set(key, left);
      };
    },
    inUse: (host) => used.get(host.toLowerCase()) ?? 0,
  };
}
