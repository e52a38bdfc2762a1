// Permission rules in Claude Code's own syntax: `Bash(npm test:*)`,
// `Read(./.env)`, `Edit(src/**)`, `WebFetch(domain:example.com)`, or a tool
// name alone. Parsing and matching are pure.
import type { SimpleCommand } from './shell.js';

/** A tool call as the agent asks for it. */
export interface ToolCall {
  tool: string;
  input: Record<string, unknown>;
}

/** Where a call is judged: the job's worktree (relative paths start there) and the home `~` means. */
export interface PolicyPlace {
  worktree: string;
  home: string;
}

/** A parsed rule. */
export interface Rule {
  text: string;
  tool: string;
  /** What is inside the parentheses; null for a tool name alone. */
  spec: string | null;
}

/** Tools that read files: a `Read(…)` rule covers them all. */
export const READ_TOOLS: ReadonlySet<string> = new Set(['Read', 'Grep', 'Glob', 'LS', 'NotebookRead']);
/** Tools that change files: an `Edit(…)` rule covers them all. */
export const EDIT_TOOLS: ReadonlySet<string> = new Set(['Edit', 'Write', 'MultiEdit', 'NotebookEdit']);

const RULE = /^([A-Za-z][A-Za-z0-9_-]*)(?:\((.*)\))?$/s;

/** Parses one rule; a sentence saying what is wrong with it otherwise. */
export function parseRule(text: string): Rule | string {
  const trimmed = text.trim();
  const match = RULE.exec(trimmed);
  if (!match) return `"${text}" is not a rule: write a tool name, optionally with what it applies to in parentheses, such as Bash(npm test:*) or Read(./.env)`;
  const tool = match[1] as string;
  const spec = match[2] === undefined ? null : match[2].trim();
  if (spec === '') return `"${text}" has empty parentheses: name what it applies to, such as ${tool}(npm test:*), or write ${tool} alone`;
  if (tool === 'WebFetch' && spec !== null && !spec.startsWith('domain:')) return `"${text}" must name a domain: WebFetch(domain:example.com)`;
  if ((READ_TOOLS.has(tool) || EDIT_TOOLS.has(tool)) && spec !== null && /\s/.test(spec.replace(/\\ /g, ''))) return `"${text}" holds a space: a path pattern is one word, such as ${tool}(src/**)`;
  return { text: trimmed, tool, spec };
}

const escapeRegex = (text: string): string => text.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** A glob as a regular expression: `**` any depth, `*` within a path segment, `?` one character. */
function globRegex(pattern: string): RegExp {
  // `dir/**` is the directory and all inside it.
  const glob = pattern.endsWith('/**') ? pattern.slice(0, -3) : pattern;
  let body = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index] as string;
    if (glob.startsWith('**/', index)) {
      body += '(?:.*/)?';
      index += 2;
    } else if (glob.startsWith('**', index)) {
      body += '.*';
      index += 1;
    } else if (char === '*') body += '[^/]*';
    else if (char === '?') body += '[^/]';
    else body += escapeRegex(char);
  }
  // A directory's pattern covers what is inside it.
  return new RegExp(`^${body}(?:/.*)?$`);
}

/** `a/./b/../c` → `a/c`; an absolute path stays absolute. */
export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

/** A path as the call names it, made absolute: `~` is the home, a relative path starts at `from` (the worktree). */
export function resolvePath(path: string, place: PolicyPlace, from = place.worktree): string {
  if (path === '~' || path.startsWith('~/')) return normalizePath(`${place.home}/${path.slice(1)}`);
  if (path.startsWith('/')) return normalizePath(path);
  return normalizePath(`${from}/${path}`);
}

/** A rule's path pattern made absolute: `//x` from the root, `~/x` from the home, `/x`, `./x` and `x/y` from the worktree, a bare name at any depth of it. */
function patternFor(spec: string, place: PolicyPlace): RegExp {
  if (spec.startsWith('//')) return globRegex(normalizePath(spec.slice(1)));
  if (spec === '~' || spec.startsWith('~/')) return globRegex(`${normalizePath(`${place.home}/${spec.slice(2)}`)}`);
  const relative = spec.replace(/^\.?\//, '');
  const anyDepth = !spec.includes('/') ? '**/' : '';
  return globRegex(`${normalizePath(place.worktree)}/${anyDepth}${relative}`.replace(/\/+/g, '/'));
}

/** The file or directory a call works on, absolute; the worktree for a search with no path. */
export function callPath(call: ToolCall, place: PolicyPlace): string | null {
  const { input } = call;
  const named = [input.file_path, input.notebook_path, input.path].find((value): value is string => typeof value === 'string' && value !== '');
  if (named !== undefined) return resolvePath(named, place);
  if (READ_TOOLS.has(call.tool)) return normalizePath(place.worktree);
  return null;
}

/** Does a rule's Bash pattern match one simple command (`npm test:*` a prefix at a word boundary, `*` anywhere, else exactly)? */
export function bashPatternMatches(spec: string, command: SimpleCommand, withSudo: boolean): boolean {
  const text = withSudo && command.sudo ? `sudo ${command.text}` : command.text;
  const prefix = spec.endsWith(':*') ? spec.slice(0, -2) : spec.endsWith(' *') ? spec.slice(0, -2) : null;
  if (prefix !== null && !prefix.includes('*')) return text === prefix || text.startsWith(`${prefix} `);
  if (spec.includes('*')) return new RegExp(`^${spec.split('*').map(escapeRegex).join('.*')}$`, 's').test(text);
  return text === spec;
}

function hostOf(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** Does a rule cover a call that is not Bash? A `Read(…)` rule covers every reading tool, an `Edit(…)` rule every editing one. */
export function ruleMatchesCall(rule: Rule, call: ToolCall, place: PolicyPlace): boolean {
  const family = (tool: string): string => (READ_TOOLS.has(tool) ? 'Read' : EDIT_TOOLS.has(tool) ? 'Edit' : tool);
  const sameTool = rule.tool === call.tool || ((rule.tool === 'Read' || rule.tool === 'Edit') && family(call.tool) === rule.tool);
  if (!sameTool) return false;
  if (rule.spec === null) return true;
  if (rule.tool === 'WebFetch') {
    const domain = rule.spec.slice('domain:'.length).toLowerCase();
    const host = hostOf(call.input.url);
    return host !== null && (host === domain || host.endsWith(`.${domain}`));
  }
  const path = callPath(call, place);
  if (path !== null) return patternFor(rule.spec, place).test(path);
  return false;
}

/** Does a path rule pattern cover a path (for a redirection's or an argument's file)? */
export function patternCovers(spec: string, path: string, place: PolicyPlace): boolean {
  return patternFor(spec, place).test(path);
}
