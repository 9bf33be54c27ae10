import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

// The SDK also serves the web console, so its code must run in a browser: no Node built-ins, no process.env.
it('the SDK source uses no Node-only module or global', () => {
  const dir = import.meta.dirname;
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  expect(sources.length).toBeGreaterThan(0);
  for (const f of sources) {
    const text = readFileSync(join(dir, f), 'utf8');
    expect(text, f).not.toMatch(/from '(node:|fs|path|http|https|net|stream|buffer|crypto)['/]/);
    expect(text, f).not.toMatch(/\bprocess\.|\bBuffer\b|\brequire\(/);
  }
});
