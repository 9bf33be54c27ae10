/**
 * Rate classes for capability invocations (story 8.8): each capability is given a class, and the gateway
 * (when it lands) admits at most `perMinute` invocations of one capability per caller per minute, on top of
 * the caller's API-key limit, the org's limit and its monthly budget. `docs/rate-limits.md` shows this table
 * and `invocation-classes.test.ts` keeps the two in step.
 */
export interface InvocationClassSpec {
  /** Invocations per caller and capability per minute; null: no per-class limit. */
  readonly perMinute: number | null;
  readonly description: string;
}

export const INVOCATION_CLASSES = {
  standard: {
    perMinute: 60,
    description: 'The default: reads, lookups and small writes.',
  },
  expensive: {
    perMinute: 10,
    description:
      'Heavy or costly work: model calls, large exports, long-running or paid upstream operations.',
  },
  unlimited: {
    perMinute: null,
    description: 'Cheap local tools an admin exempts from per-class limits; the other limits still apply.',
  },
} as const satisfies Record<string, InvocationClassSpec>;

export type InvocationClass = keyof typeof INVOCATION_CLASSES;

/** The class of a capability nobody classified. */
export const DEFAULT_INVOCATION_CLASS: InvocationClass = 'standard';
