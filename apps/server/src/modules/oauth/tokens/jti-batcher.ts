export interface PendingProof {
  readonly key: string;
  readonly expiresAt: Date;
}

/**
 * Coalesces the DPoP replay records of concurrent requests: while one batch is in flight, the proofs that arrive
 * wait and go together in the next one, so N requests in flight cost about one round trip, not N, and a lone
 * request waits for nothing. The database still decides every key; a key already waiting in this process is a
 * replay at once (ADR 0017).
 */
export function createJtiBatcher(
  insert: (proofs: readonly PendingProof[]) => Promise<ReadonlySet<string>>,
  maxBatch = 256,
): (key: string, expiresAt: Date) => Promise<boolean> {
  let queue = new Map<string, { proof: PendingProof; settle: Settle[] }>();
  let inFlight = false;

  const flush = async (): Promise<void> => {
    inFlight = true;
    while (queue.size > 0) {
      const batch = [...queue.values()].slice(0, maxBatch);
      const rest = new Map([...queue].slice(maxBatch));
      queue = rest;
      try {
        const fresh = await insert(batch.map((b) => b.proof));
        for (const b of batch) {
          // Only the first request with a key can win; any other with the same key is its replay.
          for (const [i, s] of b.settle.entries()) s.resolve(i === 0 && fresh.has(b.proof.key));
        }
      } catch (e) {
        for (const b of batch) for (const s of b.settle) s.reject(e);
      }
    }
    inFlight = false;
  };

  return (key, expiresAt) =>
    new Promise<boolean>((resolve, reject) => {
      const waiting = queue.get(key);
      if (waiting !== undefined) waiting.settle.push({ resolve, reject });
      else queue.set(key, { proof: { key, expiresAt }, settle: [{ resolve, reject }] });
      if (!inFlight) void flush();
    });
}

interface Settle {
  resolve(fresh: boolean): void;
  reject(e: unknown): void;
}
