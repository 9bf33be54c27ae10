/**
 * `Retry-After` (RFC 9110 §10.2.3): either delay-seconds (`1*DIGIT`) or an HTTP-date. Returns whole seconds
 * from `nowMs`, rounded up so that waiting them never retries too early, or undefined when absent or
 * malformed (a malformed value is ignored, as RFC 9110 §5.3 lets a recipient do with an invalid field).
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  // IMF-fixdate, or the obsolete RFC 850 / asctime forms, all of which Date.parse reads.
  if (!/^[A-Za-z]{3},? /.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
