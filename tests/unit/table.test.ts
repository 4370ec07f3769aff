import { describe, expect, it } from 'vitest';
import { renderTextTable, tableLines } from '../../src/table.ts';

describe('tableLines', () => {
  it('sizes each column to its widest cell or header, pads by alignment and draws a rule', () => {
    const lines = tableLines(
      [{ header: 'name' }, { header: 'n', align: 'right' }],
      [
        ['alpha', '1'],
        ['b', '12345'],
      ],
      { rule: true },
    );
    expect(lines).toEqual(['name       n', '-----  -----', 'alpha      1', 'b      12345']);
  });

  it('lets a cell override its column alignment and keeps minWidth, gap and indent', () => {
    const lines = tableLines(
      [{ minWidth: 4 }, { align: 'right', minWidth: 6 }, {}],
      [
        ['ok', { text: 'x', align: 'left' }, 'tail'],
        ['FAIL', '7', ''],
      ],
      { gap: ' ', indent: '> ' },
    );
    expect(lines).toEqual(['> ok   x      tail', '> FAIL      7']);
  });

  it('draws no header without headers and drops trailing blanks of empty last cells', () => {
    expect(
      tableLines(
        [{}, {}],
        [
          ['a', ''],
          ['bb', 'c'],
        ],
      ),
    ).toEqual(['a', 'bb  c']);
    expect(tableLines([{ header: 'x' }, { header: '' }], [])).toEqual(['x']);
  });

  it('joins the lines with newlines', () => {
    expect(renderTextTable([{ header: 'h' }], [['v']], { rule: true })).toBe('h\n-\nv');
  });
});
