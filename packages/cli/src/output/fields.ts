import type { Cell } from './table.ts';
import { cellText } from './table.ts';

/** `Label  value` lines with the values aligned, for one record (e.g. `servers show`). */
export function formatFields(fields: readonly (readonly [string, Cell])[]): string {
  const w = Math.max(0, ...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${label.padEnd(w)}  ${cellText(value)}`.trimEnd()).join('\n');
}
