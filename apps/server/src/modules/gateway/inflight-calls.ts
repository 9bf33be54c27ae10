import { randomUUID } from 'node:crypto';
import type { Db, Listener } from '../../platform/db/index.ts';
import { listen, notify } from '../../platform/db/index.ts';

/**
 * The calls this process is running for callers, reachable from every api process (issue 11 point 1: nothing a
 * request needs lives only in one process's memory; ADR 0046). A caller's `notifications/cancelled` and its
 * answers to relayed input requests are separate POSTs that any process may receive: the receiving process
 * settles them here when the call is its own, and otherwise announces them on one PostgreSQL NOTIFY channel that
 * every process listens to; the one holding the call acts, the others find nothing and ignore it.
 *
 * Every signal names the caller (org, principal kind and id): a call is only cancelled or answered by the
 * principal that made it, so another caller's cancel (even with the same request id) does nothing.
 */
export const GATEWAY_SIGNAL_CHANNEL = 'gateway_call_signal';

/** The NOTIFY payload bound (platform/db/notify.ts); an answer larger than this cannot cross processes. */
const MAX_SIGNAL_BYTES = 7_900;

export type Response = Readonly<Record<string, unknown>>;

type Signal =
  | { readonly k: 'cancel'; readonly p: string; readonly r: string | number }
  | { readonly k: 'answer'; readonly p: string; readonly i: string; readonly m: Response };

export interface InputWait {
  /** The gateway-chosen JSON-RPC id of the request relayed to the caller. */
  readonly id: string;
  /** The caller's JSON-RPC response to it (result or error), whichever process received it. */
  readonly answer: Promise<Response>;
  dispose(): void;
}

export interface InflightCalls {
  /** While a caller's request runs: its cancellation aborts the call. Returns the un-registration. */
  track(caller: string, requestId: string | number | null, abort: () => void): () => void;
  /** The caller's `notifications/cancelled`: stops its request wherever it runs. */
  cancel(caller: string, requestId: string | number): Promise<void>;
  /** A relayed input request awaiting this caller's response. */
  awaitInput(caller: string): InputWait;
  /** The caller's response to a relayed input request: false when it cannot be routed (not ours, too large). */
  answer(caller: string, id: string, response: Response): Promise<boolean>;
  close(): Promise<void>;
}

/** Gateway-chosen ids of relayed input requests: never confused with a caller's own ids. */
export const INPUT_ID_PREFIX = 'sc-input-';

/** Who a signal is for: the org and principal that made the call. */
export const callerKey = (p: { orgId: string; kind: string; id: string }): string =>
  `${p.orgId}/${p.kind}/${p.id}`;

const callKey = (caller: string, requestId: string | number | null) =>
  `${caller}\n${JSON.stringify(requestId)}`;

export function createInflightCalls(deps: { db: Db; listenUrl?: string | undefined }): InflightCalls {
  const calls = new Map<string, () => void>();
  const inputs = new Map<string, { caller: string; settle: (r: Response) => void }>();

  const settle = (s: Signal): boolean => {
    if (s.k === 'cancel') {
      const abort = calls.get(callKey(s.p, s.r));
      abort?.();
      return abort !== undefined;
    }
    const wait = inputs.get(s.i);
    if (wait === undefined || wait.caller !== s.p) return false;
    wait.settle(s.m);
    return true;
  };

  const listener: Listener | undefined =
    deps.listenUrl === undefined
      ? undefined
      : listen({
          connectionString: deps.listenUrl,
          channel: GATEWAY_SIGNAL_CHANNEL,
          onMessage: (payload) => {
            try {
              settle(JSON.parse(payload) as Signal);
            } catch {
              // Not one of ours: nothing to settle.
            }
          },
        });

  /** Settled here when the call is ours, else announced to every process. */
  async function route(s: Signal): Promise<boolean> {
    if (settle(s)) return true;
    if (listener === undefined) return false;
    const payload = JSON.stringify(s);
    if (Buffer.byteLength(payload) > MAX_SIGNAL_BYTES) return false;
    await notify(deps.db, GATEWAY_SIGNAL_CHANNEL, payload);
    return true;
  }

  return {
    track(caller, requestId, abort) {
      const key = callKey(caller, requestId);
      calls.set(key, abort);
      return () => {
        if (calls.get(key) === abort) calls.delete(key);
      };
    },
    async cancel(caller, requestId) {
      await route({ k: 'cancel', p: caller, r: requestId });
    },
    awaitInput(caller) {
      const id = `${INPUT_ID_PREFIX}${randomUUID()}`;
      let settle: (r: Response) => void = () => {};
      const answer = new Promise<Response>((resolve) => {
        settle = resolve;
      });
      inputs.set(id, { caller, settle });
      return { id, answer, dispose: () => inputs.delete(id) };
    },
    answer: (caller, id, response) => route({ k: 'answer', p: caller, i: id, m: response }),
    async close() {
      await listener?.close();
      calls.clear();
      inputs.clear();
    },
  };
}
