// A shell command line read as a shell user reads it, for permission rules:
// its simple commands one by one (across `&&`, `||`, `;`, `|`, `&`,
// newlines, subshells, `$(…)` and backticks), each with its environment
// prefix and `sudo` set apart, its words unquoted, its redirections named.
// Pure; it runs nothing and expands nothing.

/** One simple command of a command line. */
export interface SimpleCommand {
  /** The words after the environment prefix and `sudo`, unquoted. */
  words: string[];
  /** The words as a rule sees them: joined by single spaces. */
  text: string;
  /** `NAME=value` words before the command. */
  env: string[];
  /** Run through `sudo` (or `doas`). */
  sudo: boolean;
  /** Files written by `>`, `>>`, `&>`. */
  writes: string[];
  /** The directory it runs in, when a `cd` before it in the same line changed it: relative to where the line starts, or absolute. */
  cd: string | null;
  /** A word holds `$…`, `` ` `` or a glob the shell would expand: what it names is not known here. */
  expands: boolean;
  /** The command its output is piped into (its first word), when it is. */
  pipesInto: string | null;
}

/** A command line, split. `opaque` when it cannot be read safely (here-documents, unbalanced quotes, `eval`): no allow rule may pass it. */
export interface ParsedCommand {
  parts: SimpleCommand[];
  opaque: string | null;
}

type Token = { kind: 'word'; value: string; expands: boolean } | { kind: 'op'; value: string };

const OPERATORS = ['&&', '||', ';;', '&>>', '&>', '>>', '2>&1', '>&', '<<', '<(', '>(', ';', '|', '&', '(', ')', '>', '<', '\n'];

/** The text between a `$(` or `(` at `start` (just after it) and its matching `)`, quotes respected; -1 when unbalanced. */
function matchingParen(line: string, start: number): number {
  let depth = 1;
  for (let index = start; index < line.length; index++) {
    const char = line[index];
    if (char === '\\') index++;
    else if (char === "'") {
      index = line.indexOf("'", index + 1);
      if (index === -1) return -1;
    } else if (char === '"') {
      index = closingDoubleQuote(line, index + 1);
      if (index === -1) return -1;
    } else if (char === '(') depth++;
    else if (char === ')' && --depth === 0) return index;
  }
  return -1;
}

function closingDoubleQuote(line: string, start: number): number {
  for (let index = start; index < line.length; index++) {
    if (line[index] === '\\') index++;
    else if (line[index] === '"') return index;
  }
  return -1;
}

/** The double-quoted string opening at `start`: its text, where it ends, whether the shell expands something in it (substitutions go to `inner`). */
function doubleQuoted(line: string, start: number, inner: string[]): { text: string; end: number; expands: boolean } | string {
  const end = closingDoubleQuote(line, start + 1);
  if (end === -1) return 'an unclosed double quote';
  const body = line.slice(start + 1, end);
  const expands = /\$|`/.test(body.replace(/\\[$`]/g, ''));
  if (expands) {
    for (const match of body.matchAll(/\$\(/g)) {
      const close = matchingParen(body, (match.index ?? 0) + 2);
      if (close === -1) return 'an unclosed $( in quotes';
      inner.push(body.slice((match.index ?? 0) + 2, close));
    }
    for (const match of body.matchAll(/`([^`]*)`/g)) inner.push(match[1] ?? '');
  }
  return { text: body.replace(/\\(["\\$`])/g, '$1'), end, expands };
}

/** A command substitution (`$(…)` or backticks) opening at `index`: its command line and where it ends; null when there is none. */
function substitution(line: string, index: number): { body: string; end: number } | string | null {
  if (line[index] === '$' && line[index + 1] === '(') {
    const end = matchingParen(line, index + 2);
    return end === -1 ? 'an unclosed $(' : { body: line.slice(index + 2, end), end };
  }
  if (line[index] === '`') {
    const end = line.indexOf('`', index + 1);
    return end === -1 ? 'an unclosed backtick' : { body: line.slice(index + 1, end), end };
  }
  return null;
}

/** Splits a line into words and operators; inner command lines (`$(…)`, backticks, `<(…)`) go to `inner`. */
function tokenize(line: string, inner: string[]): Token[] | string {
  const tokens: Token[] = [];
  let word: string | null = null;
  let expands = false;
  const endWord = (): void => {
    if (word !== null) tokens.push({ kind: 'word', value: word, expands });
    word = null;
    expands = false;
  };
  for (let index = 0; index < line.length; index++) {
    const char = line[index] as string;
    if (char === ' ' || char === '\t') {
      endWord();
      continue;
    }
    if (char === '#' && word === null) {
      // A comment runs to the end of its line.
      const newline = line.indexOf('\n', index);
      if (newline === -1) break;
      index = newline - 1;
      continue;
    }
    if (char === '\\') {
      if (line[index + 1] === '\n') index++;
      else word = (word ?? '') + (line[++index] ?? '');
      continue;
    }
    if (char === "'") {
      const end = line.indexOf("'", index + 1);
      if (end === -1) return 'an unclosed single quote';
      word = (word ?? '') + line.slice(index + 1, end);
      index = end;
      continue;
    }
    if (char === '"') {
      const quoted = doubleQuoted(line, index, inner);
      if (typeof quoted === 'string') return quoted;
      if (quoted.expands) expands = true;
      word = (word ?? '') + quoted.text;
      index = quoted.end;
      continue;
    }
    const substituted = substitution(line, index);
    if (typeof substituted === 'string') return substituted;
    if (substituted) {
      inner.push(substituted.body);
      word = `${word ?? ''}$(…)`;
      expands = true;
      index = substituted.end;
      continue;
    }
    // `2>` and `2>>` are redirections of a file descriptor, not the word 2.
    const fdRedirect = /^[0-9]>>?/.exec(line.slice(index));
    if (word === null && fdRedirect && !line.startsWith('2>&1', index)) {
      tokens.push({ kind: 'op', value: fdRedirect[0].slice(1) });
      index += fdRedirect[0].length - 1;
      continue;
    }
    const operator = OPERATORS.find((op) => line.startsWith(op, index));
    if (operator) {
      endWord();
      if (operator === '<(' || operator === '>(') {
        const close = matchingParen(line, index + 2);
        if (close === -1) return 'an unclosed process substitution';
        inner.push(line.slice(index + 2, close));
        tokens.push({ kind: 'word', value: '$(…)', expands: true });
        index = close;
        continue;
      }
      tokens.push({ kind: 'op', value: operator });
      index += operator.length - 1;
      continue;
    }
    if (char === '$' || char === '*' || char === '?' || char === '[' || char === '{') expands = true;
    word = (word ?? '') + char;
  }
  endWord();
  return tokens;
}

const SEPARATORS = new Set(['&&', '||', ';', '&', '\n', '|', ';;']);
const REDIRECT_WRITES = new Set(['>', '>>', '&>', '&>>', '>&']);
/** Programs that run a command line given as text. */
export const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'fish']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const SUDO_FLAGS_WITH_VALUE = new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U']);

/** Drops `sudo` and its options; true when there was one. */
function stripSudo(words: string[]): boolean {
  if (words[0] !== 'sudo' && words[0] !== 'doas') return false;
  words.shift();
  while (words[0]?.startsWith('-')) {
    const flag = words.shift() as string;
    if (flag === '--') break;
    if (SUDO_FLAGS_WITH_VALUE.has(flag)) words.shift();
  }
  return true;
}

/** Reads the words of one simple command. */
function simpleCommand(tokens: Token[], cd: string | null): SimpleCommand {
  const words: string[] = [];
  const env: string[] = [];
  const writes: string[] = [];
  let expands = false;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as Token;
    if (token.kind === 'op') {
      const target = tokens[index + 1];
      if (target?.kind === 'word') {
        index++;
        if (REDIRECT_WRITES.has(token.value) && !/^\d$/.test(target.value)) writes.push(target.value);
        if (target.expands) expands = true;
      }
      continue;
    }
    if (words.length === 0 && ASSIGNMENT.test(token.value)) {
      env.push(token.value);
      continue;
    }
    if (token.expands) expands = true;
    words.push(token.value);
  }
  let sudo = false;
  // `sudo FOO=1 cmd` and `env FOO=1 cmd`: the prefix may come again after either.
  for (;;) {
    if (stripSudo(words)) sudo = true;
    else if (words[0] === 'env' || words[0] === 'command' || words[0] === 'nohup' || words[0] === 'time') words.shift();
    else if (words[0] !== undefined && ASSIGNMENT.test(words[0])) env.push(words.shift() as string);
    else break;
  }
  return { words, text: words.join(' '), env, sudo, writes, cd, expands, pipesInto: null };
}

/**
 * Splits a command line into its simple commands. Subshells and
 * substitutions are read as commands of their own; a `cd` is followed so a
 * later command knows where it runs.
 */
export function parseCommand(line: string, depth = 0): ParsedCommand {
  if (depth > 8) return { parts: [], opaque: 'substitutions nested too deep' };
  const inner: string[] = [];
  const tokens = tokenize(line, inner);
  if (typeof tokens === 'string') return { parts: [], opaque: tokens };
  const parts: SimpleCommand[] = [];
  let opaque: string | null = null;
  let cd: string | null = null;
  let current: Token[] = [];
  let pipedFrom: SimpleCommand | null = null;
  const flush = (separator: string | null): void => {
    if (current.some((token) => token.kind === 'word')) {
      const command = simpleCommand(current, cd);
      if (pipedFrom) pipedFrom.pipesInto = command.words[0] ?? null;
      parts.push(command);
      if (command.words[0] === 'cd') cd = command.words[1] ?? '~';
      const [name, flag, script] = command.words;
      // `bash -c '…'` runs a command line of its own; `xargs cmd` runs cmd.
      if (SHELLS.has(name ?? '') && flag === '-c' && script !== undefined) inner.push(script);
      if (name === 'xargs') {
        const rest = command.words.slice(1);
        while (rest[0]?.startsWith('-')) rest.shift();
        if (rest.length > 0) parts.push({ ...command, words: rest, text: rest.join(' '), expands: true });
      }
      if (['eval', 'source', '.'].includes(name ?? '')) opaque ??= `\`${command.words[0]}\` runs text the policy cannot read`;
      pipedFrom = separator === '|' ? command : null;
    }
    current = [];
  };
  for (const token of tokens) {
    if (token.kind === 'op' && token.value === '<<') {
      opaque ??= 'a here-document';
      continue;
    }
    if (token.kind === 'op' && (token.value === '(' || token.value === ')')) {
      // A subshell's commands are commands like any other; its `cd` ends with it, which is on the safe side to forget.
      flush(null);
      continue;
    }
    if (token.kind === 'op' && SEPARATORS.has(token.value)) flush(token.value);
    else current.push(token);
  }
  flush(null);
  for (const text of inner) {
    const nested = parseCommand(text, depth + 1);
    parts.push(...nested.parts);
    opaque ??= nested.opaque;
  }
  // Brace groups read as words: `{` and `}` alone name no command.
  const cleaned = parts
    .map((part) => (part.words[0] === '{' || part.words[0] === '}' ? { ...part, words: part.words.slice(1), text: part.words.slice(1).join(' ') } : part))
    .map((part) => (part.words.at(-1) === '}' ? { ...part, words: part.words.slice(0, -1), text: part.words.slice(0, -1).join(' ') } : part));
  return { parts: cleaned.filter((part) => part.words.length > 0 || part.writes.length > 0), opaque };
}
