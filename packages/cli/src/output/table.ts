import { oneLine } from './sanitize.ts';

export type Cell = string | number | boolean | null | undefined;

export interface Column<T> {
  header: string;
  value: (row: T) => Cell;
  align?: 'left' | 'right';
  /** Longer cells are cut and end with an ellipsis. */
  maxWidth?: number;
}

const GAP = '  ';

/** A plain-text table: a header row, one line per row, columns padded to their widest cell. */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => clip(cellText(c.value(row)), c.maxWidth)));
  const headers = columns.map((c) => c.header);
  const widths = columns.map((_, i) => Math.max(width(headers[i]!), ...cells.map((r) => width(r[i]!))));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => pad(v, widths[i]!, columns[i]!.align ?? 'left'))
      .join(GAP)
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

export function cellText(v: Cell): string {
  if (v === null || v === undefined) return '-';
  return oneLine(String(v));
}

function clip(s: string, max: number | undefined): string {
  if (max === undefined || width(s) <= max) return s;
  return `${[...s].slice(0, Math.max(0, max - 1)).join('')}…`;
}

// Code points, not UTF-16 units; wide (CJK) glyphs are not measured, which only costs alignment.
function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(w - width(s));
  return align === 'right' ? fill + s : s + fill;
}
