import { describe, expect, it } from 'vitest';
import { redactUrlSecrets } from './redact.ts';

describe('redactUrlSecrets', () => {
  it('masks the query string of the URL wherever the text quotes it', () => {
    const url = 'https://mcp.example.com/mcp?api_key=k-456&x=1';
    expect(redactUrlSecrets(`POST ${url} failed; again ${url}`, url)).toBe(
      'POST https://mcp.example.com/mcp[redacted] failed; again https://mcp.example.com/mcp[redacted]',
    );
  });

  it('masks the password of the URL', () => {
    const url = 'https://bot:pw-123@mcp.example.com/mcp';
    expect(redactUrlSecrets('auth pw-123 rejected', url)).toBe('auth [redacted] rejected');
  });

  it('leaves text alone when the URL carries no secret or does not parse', () => {
    expect(redactUrlSecrets('plain', 'https://mcp.example.com/mcp')).toBe('plain');
    expect(redactUrlSecrets('plain', 'not a url')).toBe('plain');
  });
});
