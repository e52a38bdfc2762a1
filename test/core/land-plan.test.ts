import { describe, expect, it } from 'vitest';
import { landingOrder, splitWords } from '../../src/core/land-plan.js';
import type { JobView } from '../../src/core/run-state.js';

describe('the check command, split as a shell would without one', () => {
  it.each([
    ['npm test', ['npm', 'test']],
    ['  npm   run  test:unit ', ['npm', 'run', 'test:unit']],
    ['npm test -- --grep "two words"', ['npm', 'test', '--', '--grep', 'two words']],
    ["sh -c 'make && make check'", ['sh', '-c', 'make && make check']],
    ['echo a\\ b "" x', ['echo', 'a b', '', 'x']],
    ['echo "say \\"hi\\" \\$HOME"', ['echo', 'say "hi" $HOME']],
  ])('%s', (text, words) => {
    expect(splitWords(text)).toEqual(words);
  });

  it('refuses an unclosed quote and an empty command', () => {
    expect(() => splitWords("npm 'test")).toThrow("has an unclosed ' quote");
    expect(() => splitWords('   ')).toThrow('The check command is empty');
  });
});

describe('the landing order', () => {
  const job = (id: string, finished: string, changed: string[]): JobView => ({ id, finished_at: `2026-12-01T10:00:0${finished}.000Z`, changed }) as unknown as JobView;
  const jobs = [job('t1', '3', ['a']), job('t2', '4', ['b']), job('t3', '1', ['a']), job('t4', '2', ['c'])];

  it('puts the jobs that overlap none first, then the others, each by finish time', () => {
    expect(landingOrder(jobs, []).map((item) => item.id)).toEqual(['t4', 't2', 't3', 't1']);
  });

  it('keeps the order given when jobs are named', () => {
    expect(landingOrder(jobs, ['t1', 't3']).map((item) => item.id)).toEqual(['t1', 't3']);
  });
});
