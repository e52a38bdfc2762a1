import { UserError } from './errors.js';
import { uniqueJobIds } from './ids.js';

/** One task of `--tasks`: its own prompt, in its own fresh worktree. */
export interface Task {
  id: string;
  prompt: string;
  description: string | null;
  expected_outcome: string | null;
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function jsonError(text: string, source: string, error: Error): UserError {
  const message = error.message;
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  const position = /position (\d+)/.exec(message);
  const where = lineColumn
    ? { line: Number(lineColumn[1]), column: Number(lineColumn[2]) }
    : position
      ? positionOf(text, Number(position[1]))
      : positionOf(text, text.length);
  // Node's messages differ by version and may quote the text; keep the first clause.
  const what = (message.split(/, "|, \.\.\.|\n| in JSON at| at position|\s*\(line/)[0] ?? message).trim();
  return new UserError(`The tasks in ${source} are not valid JSON at line ${where.line}, column ${where.column} (${what}); fix the file, or write one task per line.`);
}

const optionalText = (value: unknown, field: string, index: number, source: string): string | null => {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new UserError(`Task ${index + 1} in ${source} has a ${field} that is not text.`);
  return value;
};

/**
 * Reads `--tasks`: JSON `{"prompts": ["…", {"id", "prompt", "description",
 * "expected_outcome"}]}`, or one task per line (blank lines and `#` lines
 * skipped). Ids are made safe and unique; a duplicate given id is an error.
 */
export function parseTasks(text: string, source: string): Task[] {
  const trimmed = text.trim();
  let raw: { id: string | null; prompt: string; description: string | null; expected_outcome: string | null }[];
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw jsonError(text, source, error as Error);
    }
    const prompts = (parsed as { prompts?: unknown }).prompts;
    if (typeof parsed !== 'object' || parsed === null || !Array.isArray(prompts)) {
      throw new UserError(`The tasks in ${source} must be {"prompts": [...]}, a list of texts or {"id", "prompt"} objects.`);
    }
    raw = prompts.map((item, index) => {
      if (typeof item === 'string') return { id: null, prompt: item, description: null, expected_outcome: null };
      if (typeof item !== 'object' || item === null || typeof (item as { prompt?: unknown }).prompt !== 'string') {
        throw new UserError(`Task ${index + 1} in ${source} needs a "prompt" text.`);
      }
      const task = item as Record<string, unknown>;
      return {
        id: optionalText(task.id, 'id', index, source),
        prompt: task.prompt as string,
        description: optionalText(task.description, 'description', index, source),
        expected_outcome: optionalText(task.expected_outcome, 'expected_outcome', index, source),
      };
    });
  } else {
    raw = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((prompt) => ({ id: null, prompt, description: null, expected_outcome: null }));
  }
  if (raw.length === 0) throw new UserError(`The tasks file ${source} has no tasks; write one task per line or {"prompts": [...]}.`);
  const given = new Map<string, number>();
  raw.forEach((task, index) => {
    if (task.id === null) return;
    const earlier = given.get(task.id);
    if (earlier !== undefined) throw new UserError(`Tasks ${earlier + 1} and ${index + 1} in ${source} share the id '${task.id}'; ids must be unique.`);
    given.set(task.id, index);
    if (task.prompt.trim() === '') throw new UserError(`Task '${task.id}' in ${source} has an empty prompt.`);
  });
  const ids = uniqueJobIds(raw.map((task, index) => task.id ?? `t${index + 1}`));
  return raw.map((task, index) => ({ id: ids[index] as string, prompt: task.prompt, description: task.description, expected_outcome: task.expected_outcome }));
}
