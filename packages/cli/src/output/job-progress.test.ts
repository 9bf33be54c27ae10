import { describe, expect, it } from 'vitest';
import { captureStream } from '../testing/fake-api.ts';
import { job } from '../testing/fixtures.ts';
import { createJobProgress, etaOf, stageOf } from './job-progress.ts';

const NOW = Date.parse('2025-01-01T00:00:00.000Z');

describe('stageOf', () => {
  it('names the running stage, the retry with its cause, or the state', () => {
    expect(stageOf(job())).toBe('queued');
    expect(stageOf(job({ state: 'running', stage: 'tools' }))).toBe('tools');
    const error = { code: 'timeout', message: 'm', guidance: 'g', retryable: true };
    expect(stageOf(job({ state: 'retrying', attempts: 1, error }))).toBe(
      'retrying after timeout (attempt 1 of 3)',
    );
    expect(stageOf(job({ state: 'failed', stage: 'connect' }))).toBe('failed');
  });
});

describe('etaOf', () => {
  it("counts down to the server's estimate, in seconds then minutes", () => {
    const at = (ms: number) => new Date(NOW + ms).toISOString();
    expect(etaOf(job({ state: 'running', estimatedCompletionAt: at(4_200) }), NOW)).toBe('5s');
    expect(etaOf(job({ state: 'running', estimatedCompletionAt: at(125_000) }), NOW)).toBe('2m05s');
    expect(etaOf(job({ state: 'running', estimatedCompletionAt: at(-3_000) }), NOW)).toBe('0s');
    expect(etaOf(job({ state: 'running' }), NOW)).toBe('--');
    expect(etaOf(job({ state: 'succeeded' }), NOW)).toBe('0s');
  });
});

describe('line mode', () => {
  it('prints one line per stage change, not per poll', () => {
    const stream = captureStream();
    const p = createJobProgress({ stream, mode: 'lines', label: 'discovery' });
    p.update(job());
    p.update(job());
    p.update(job({ state: 'running', stage: 'connect' }));
    p.update(job({ state: 'running', stage: 'tools', progress: { done: 1, total: 6, percent: 16.7 } }));
    p.update(job({ state: 'running', stage: 'tools', progress: { done: 1, total: 6, percent: 16.7 } }));
    p.update(job({ state: 'succeeded', stage: 'store' }));
    p.finish();
    expect(stream.text()).toBe(
      'discovery: queued (0%)\ndiscovery: connect (0%)\ndiscovery: tools (16%)\ndiscovery: succeeded\n',
    );
  });
});

describe('bar mode', () => {
  it('draws stage, percent and ETA, and ends the bar with a newline', () => {
    const stream = captureStream();
    const p = createJobProgress({ stream, mode: 'bar', label: 'discovery', now: () => NOW });
    p.update(job({ state: 'running', stage: 'tools', progress: { done: 3, total: 6, percent: 50 } }));
    p.finish();
    expect(stream.text()).toContain('50% | tools | ETA --');
    expect(stream.text().endsWith('\n')).toBe(true);
  });

  it("counts down to the server's estimate in the bar", () => {
    const stream = captureStream();
    const p = createJobProgress({ stream, mode: 'bar', label: 'discovery', now: () => NOW });
    const estimatedCompletionAt = new Date(NOW + 4_200).toISOString();
    p.update(
      job({
        state: 'running',
        stage: 'tools',
        progress: { done: 3, total: 6, percent: 50 },
        estimatedCompletionAt,
      }),
    );
    p.finish();
    expect(stream.text()).toContain('50% | tools | ETA 5s');
  });
});
