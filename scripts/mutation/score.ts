import type { MutationArea } from './areas.ts';

/** The parts of Stryker's JSON report (mutation-testing-report-schema) a per-area score needs. */
export interface MutationReport {
  readonly files: Readonly<
    Record<
      string,
      {
        readonly source: string;
        readonly mutants: readonly {
          readonly status: string;
          readonly mutatorName: string;
          readonly replacement?: string;
          readonly testsCompleted?: number;
          readonly location: { readonly start: { readonly line: number; readonly column: number } };
        }[];
      }
    >
  >;
}

export interface Survivor {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly mutator: string;
  readonly replacement: string;
  readonly status: 'Survived' | 'NoCoverage';
  /**
   * Survived without running a test: not a measurement but a runner fault (stryker-mutator/stryker-js#6213);
   * run the area again.
   */
  readonly ranNoTest: boolean;
}

export interface AreaScore {
  readonly area: MutationArea;
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  /** Mutants that do not run (runtime or compile errors) or were ignored: not part of the score. */
  readonly invalid: number;
  /** Stryker's mutation score: detected (killed, timeout) over detected and undetected; null without mutants. */
  readonly score: number | null;
  readonly survivors: readonly Survivor[];
}

/** Scores each area on its own files, as Stryker scores a file: timeouts count as detected (an endless loop). */
export function scoreAreas(report: MutationReport, areas: readonly MutationArea[]): AreaScore[] {
  return areas.map((area) => {
    let killed = 0;
    let timeout = 0;
    let invalid = 0;
    const survivors: Survivor[] = [];
    for (const file of area.files) {
      for (const m of report.files[file]?.mutants ?? []) {
        if (m.status === 'Killed') killed++;
        else if (m.status === 'Timeout') timeout++;
        else if (m.status === 'Survived' || m.status === 'NoCoverage') {
          const { line, column } = m.location.start;
          const replacement = m.replacement ?? '';
          const ranNoTest = m.status === 'Survived' && m.testsCompleted === 0;
          survivors.push({
            file,
            line,
            column,
            mutator: m.mutatorName,
            replacement,
            status: m.status,
            ranNoTest,
          });
        } else invalid++;
      }
    }
    const survived = survivors.filter((s) => s.status === 'Survived').length;
    const noCoverage = survivors.length - survived;
    const valid = killed + timeout + survivors.length;
    const score = valid === 0 ? null : (100 * (killed + timeout)) / valid;
    return { area, killed, timeout, survived, noCoverage, invalid, score, survivors };
  });
}
