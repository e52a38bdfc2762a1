import { describe, expect, it } from 'vitest';
import { formatDuration, formatSpan, parseDuration } from '../../src/core/duration.js';
import { closestMatches, didYouMean } from '../../src/core/suggest.js';
import { formatTable } from '../../src/core/table.js';
import { parseVarAssignments, resolveVariables } from '../../src/core/variables.js';

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1h0m5s', 3_605_000],
    ['0s', undefined],
    ['', undefined],
    ['30', undefined],
    ['1.5h', undefined],
    ['30m1h', undefined],
    ['-5m', undefined],
    ['5 m', undefined],
  ])('%j parses to %j', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [0, '0s'],
  ])('%j formats as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  // Rounded before it is split: 119.6 s is two minutes, never `1m60s`.
  it.each([
    [6_940, '6.9s', '6.9 s'],
    [59_940, '59.9s', '59.9 s'],
    [59_960, '1m00s', '1 min 0 s'],
    [119_600, '2m00s', '2 min 0 s'],
    [125_400, '2m05s', '2 min 5 s'],
    [3_725_000, '62m05s', '62 min 5 s'],
  ])('a span of %j ms reads %j, or %j in words', (ms, short, words) => {
    expect(formatSpan(ms)).toBe(short);
    expect(formatSpan(ms, true)).toBe(words);
  });
});

describe('suggestions', () => {
  const commands = ['add', 'list', 'show', 'remove', 'config'];
  it.each([
    ['lst', 'list'],
    ['shwo', 'show'],
    ['conf', 'config'],
    ['xyz', undefined],
  ])('%j suggests %j', (input, best) => {
    expect(closestMatches(input, commands)[0]).toBe(best);
  });

  it('words a suggestion as a sentence, or nothing', () => {
    expect(didYouMean('remov', commands)).toBe(" Did you mean 'remove'?");
    expect(didYouMean('zzzzzz', commands)).toBe('');
  });
});

describe('variables', () => {
  it('applies --var over task fields over built-ins over front-matter defaults', () => {
    expect(
      resolveVariables({
        frontMatterDefaults: { A: 'default', B: 'default', C: 'default', D: 'default' },
        builtIns: { A: 'builtin', B: 'builtin', C: 'builtin', Unset: undefined },
        task: { A: 'task', B: 'task' },
        cli: { A: 'cli' },
      }),
    ).toEqual({ A: 'cli', B: 'task', C: 'builtin', D: 'default' });
  });

  it.each([
    [['A=1', 'B=x=y', 'C='], { vars: { A: '1', B: 'x=y', C: '' } }],
    [['noequals'], { bad: 'noequals' }],
    [['=value'], { bad: '=value' }],
    [['bad-name=1'], { bad: 'bad-name=1' }],
  ])('parses %j', (input, expected) => {
    expect(parseVarAssignments(input)).toEqual(expected);
  });
});

describe('tables', () => {
  it('aligns columns and cuts flexible ones to the width', () => {
    const rows = [{ a: 'one', b: 'a long description that does not fit' }];
    const text = formatTable(rows, [{ header: 'NAME', value: (r) => r.a }, { header: 'DESCRIPTION', value: (r) => r.b, flexible: true }], 30);
    expect(text).toBe('NAME  DESCRIPTION\none   a long description that…\n');
    expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThanOrEqual(30);
  });
});
