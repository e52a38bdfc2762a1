import { describe, expect, it } from 'vitest';
import { parseTasks } from '../../src/core/tasks.js';

describe('--tasks files', () => {
  it('reads the JSON form with plain and detailed tasks', () => {
    const tasks = parseTasks('{"prompts": ["Fix lint", {"id": "Add Docs", "prompt": "Write docs", "description": "d", "expected_outcome": "docs/ exists"}]}', 't.json');
    expect(tasks).toEqual([
      { id: 't1', prompt: 'Fix lint', description: null, expected_outcome: null },
      { id: 'add-docs', prompt: 'Write docs', description: 'd', expected_outcome: 'docs/ exists' },
    ]);
  });

  it('reads one task per line, skipping blanks and comments', () => {
    expect(parseTasks('# tasks\nFix lint\n\n  Add tests  \n', 't.txt').map((task) => [task.id, task.prompt])).toEqual([
      ['t1', 'Fix lint'],
      ['t2', 'Add tests'],
    ]);
  });

  it.each([
    ['{"prompts": [\n  "a",\n  }', /not valid JSON at line 3, column \d+ \(Unexpected token/],
    ['{"tasks": []}', /must be \{"prompts": \[\.\.\.\]\}/],
    ['{"prompts": []}', /has no tasks/],
    ['\n\n', /has no tasks/],
    ['{"prompts": [{"id": "a", "prompt": "x"}, {"id": "a", "prompt": "y"}]}', /Tasks 1 and 2 in t share the id 'a'/],
    ['{"prompts": [{"id": "a"}]}', /Task 1 in t needs a "prompt" text/],
  ])('refuses %j', (text, message) => {
    expect(() => parseTasks(text, 't')).toThrow(message);
  });
});
