import { describe, expect, it } from 'vitest';
import { formatFields } from './fields.ts';
import { formatTable } from './table.ts';

interface Row {
  name: string;
  n: number | null;
}
const rows: Row[] = [
  { name: 'alpha', n: 1 },
  { name: 'b', n: 1234 },
];

describe('formatTable', () => {
  it('pads every column to its widest cell, two spaces apart, with no trailing spaces', () => {
    const out = formatTable(rows, [
      { header: 'NAME', value: (r) => r.name },
      { header: 'N', value: (r) => r.n },
    ]);
    expect(out.split('\n')).toEqual(['NAME   N', 'alpha  1', 'b      1234']);
  });

  it('right-aligns columns marked right', () => {
    const out = formatTable(rows, [
      { header: 'N', value: (r) => r.n, align: 'right' },
      { header: 'NAME', value: (r) => r.name },
    ]);
    expect(out.split('\n')).toEqual(['   N  NAME', '   1  alpha', '1234  b']);
  });

  it('prints only the header for no rows', () => {
    expect(formatTable([], [{ header: 'ID', value: () => 'x' }])).toBe('ID');
  });

  it('shows null and undefined as a dash', () => {
    const out = formatTable(
      [{ name: 'x', n: null }],
      [
        { header: 'NAME', value: (r: Row) => r.name },
        { header: 'N', value: (r: Row) => r.n },
      ],
    );
    expect(out.split('\n')[1]).toBe('x     -');
  });

  it('cuts cells longer than maxWidth and marks the cut with an ellipsis', () => {
    const out = formatTable(
      [{ name: 'abcdefghij', n: 1 }],
      [{ header: 'NAME', value: (r: Row) => r.name, maxWidth: 5 }],
    );
    expect(out.split('\n')).toEqual(['NAME', 'abcd…']);
  });

  it('measures code points, so astral characters do not break alignment', () => {
    const out = formatTable(
      [
        { name: '😀😀', n: 1 },
        { name: 'ab', n: 2 },
      ],
      [
        { header: 'NAME', value: (r: Row) => r.name },
        { header: 'N', value: (r: Row) => r.n },
      ],
    );
    expect(out.split('\n')).toEqual(['NAME  N', '😀😀    1', 'ab    2']);
  });

  it('never lets a terminal escape sequence or line break from the data through', () => {
    const out = formatTable(
      [{ name: 'evil\u001b]0;pwned\u0007\nname', n: 1 }],
      [{ header: 'NAME', value: (r: Row) => r.name }],
    );
    expect(out).toBe('NAME\nevil]0;pwned name');
    expect([...out].filter((ch) => ch !== '\n' && (ch < ' ' || ch === '\u007f'))).toEqual([]);
  });
});

describe('formatFields', () => {
  it('aligns values after the longest label', () => {
    expect(
      formatFields([
        ['ID', 'x'],
        ['Status', 'active'],
        ['Tags', null],
      ]),
    ).toBe('ID      x\nStatus  active\nTags    -');
  });
});
