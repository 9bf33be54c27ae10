import { describe, expect, it } from 'vitest';
import { createToolProgress } from '../output/tool-progress.ts';
import { parseToolArgs } from './mcp.ts';

describe('mcp call input and output', () => {
  it('--args must be a JSON object; absent means no arguments', () => {
    expect(parseToolArgs('{"a":1,"b":"x"}')).toEqual({ a: 1, b: 'x' });
    expect(parseToolArgs(undefined)).toEqual({});
    for (const bad of ['[1]', '"s"', 'null', '3', '{oops']) {
      expect(() => parseToolArgs(bad), bad).toThrow(/must be a JSON object/);
    }
  });

  it('progress without a terminal is one line per notification, with the total and message when given', () => {
    let text = '';
    const write = (s: string) => {
      text += s;
      return true;
    };
    const stream = { write } as unknown as NodeJS.WritableStream;
    const p = createToolProgress({ stream, mode: 'lines', label: 'crawl' });
    p.update({ progress: 1 });
    p.update({ progress: 2, total: 5, message: 'page\n2' });
    p.finish();
    expect(text).toBe('crawl: 1\ncrawl: 2/5 page 2\n');
  });
});
