import { describe, expect, it } from 'vitest';
import { REDACTED_META, redactResult, resultFieldsOf } from './call-obligations.ts';

describe('redaction obligations on gateway results (issue 11 point 4)', () => {
  it('takes only result.<field> names; server-view fields are the /v1 views’ own', () => {
    expect(resultFieldsOf({ redact: ['url', 'result.ssn', 'result.ssn', 'result.'] })).toEqual(['ssn']);
  });

  it('masks the named fields at any depth in structuredContent, JSON text content, resource contents and prompt messages', () => {
    const doc = { a: 1, ssn: 'x', nested: [{ ssn: 'y', b: 2 }] };
    const masked = { a: 1, ssn: null, nested: [{ ssn: null, b: 2 }] };
    const tool = redactResult(
      {
        structuredContent: doc,
        content: [
          { type: 'text', text: JSON.stringify(doc) },
          { type: 'text', text: 'ssn: x (prose is left alone)' },
        ],
      },
      ['ssn'],
    ) as Record<string, unknown>;
    expect(tool.structuredContent).toEqual(masked);
    expect(tool.content).toEqual([
      { type: 'text', text: JSON.stringify(masked) },
      { type: 'text', text: 'ssn: x (prose is left alone)' },
    ]);
    expect(tool._meta).toEqual({ [REDACTED_META]: ['ssn'] });
    const read = redactResult({ contents: [{ uri: 'u', text: JSON.stringify(doc) }] }, ['ssn']) as {
      contents: { text: string }[];
    };
    expect(JSON.parse(read.contents[0]?.text ?? '')).toEqual(masked);
    const prompt = redactResult(
      { messages: [{ role: 'user', content: { type: 'text', text: JSON.stringify(doc) } }] },
      ['ssn'],
    ) as { messages: { content: { text: string } }[] };
    expect(JSON.parse(prompt.messages[0]?.content.text ?? '')).toEqual(masked);
  });

  it('returns the result itself when no named field is in it', () => {
    const r = { content: [{ type: 'text', text: '{"a":1}' }] };
    expect(redactResult(r, ['ssn'])).toBe(r);
  });
});
