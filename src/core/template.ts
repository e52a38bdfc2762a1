/**
 * The prompt template language of DESIGN §10: the subset of Go's
 * text/template that prompts need — `{{.Var}}`, the functions `upper`,
 * `lower`, `title` and `default`, string literals, pipes, comments and trim
 * markers. Anything else is an error naming the construct, line and column.
 * Text outside actions passes through unchanged.
 */

/** Where a problem is, 1-based; columns count characters, not bytes. */
export interface TemplateIssue {
  line: number;
  column: number;
  message: string;
}

/** A template that failed to parse; `issue` says where and why. */
export class TemplateSyntaxError extends Error {
  readonly issue: TemplateIssue;
  constructor(issue: TemplateIssue) {
    super(`line ${issue.line}, column ${issue.column}: ${issue.message}`);
    this.name = 'TemplateSyntaxError';
    this.issue = issue;
  }
}

type Operand =
  | { kind: 'field'; name: string; at: number }
  | { kind: 'string'; value: string; at: number };

type Stage =
  | { kind: 'operand'; operand: Operand; at: number }
  | { kind: 'call'; fn: FunctionName; args: Operand[]; at: number };

type TemplateNode = { kind: 'text'; text: string } | { kind: 'action'; stages: Stage[]; at: number };

/** A parsed template, ready to render many times. */
export interface Template {
  readonly source: string;
  readonly nodes: readonly TemplateNode[];
}

const FUNCTIONS = {
  upper: { arity: 1, apply: (args: string[]) => (args[0] ?? '').toUpperCase() },
  lower: { arity: 1, apply: (args: string[]) => (args[0] ?? '').toLowerCase() },
  title: { arity: 1, apply: (args: string[]) => titleCase(args[0] ?? '') },
  default: {
    arity: 2,
    apply: (args: string[]) => ((args[1] ?? '') !== '' ? (args[1] ?? '') : (args[0] ?? '')),
  },
} as const;

type FunctionName = keyof typeof FUNCTIONS;

const FUNCTION_LIST = Object.keys(FUNCTIONS).join(', ');
const KEYWORDS = new Set([
  'if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue',
  'nil', 'true', 'false', 'and', 'or', 'not', 'len', 'index', 'print', 'printf', 'println',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'call', 'html', 'js', 'urlquery', 'slice',
]);
const SPACE = new Set([' ', '\t', '\r', '\n']);
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

/** Go's strings.Title: upper-cases the first letter of each word. */
function titleCase(text: string): string {
  let previousIsLetter = false;
  let out = '';
  for (const char of text) {
    const isWordChar = /[\p{L}\p{N}_']/u.test(char);
    out += isWordChar && !previousIsLetter ? char.toUpperCase() : char;
    previousIsLetter = isWordChar;
  }
  return out;
}

/** Maps string offsets to 1-based line and character column. */
function positionOf(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = source.indexOf('\n'); index !== -1 && index < offset; index = source.indexOf('\n', index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return { line, column: [...source.slice(lineStart, offset)].length + 1 };
}

function trimEndSpace(text: string): string {
  let end = text.length;
  while (end > 0 && SPACE.has(text[end - 1] ?? '')) end--;
  return text.slice(0, end);
}

type Token =
  | { kind: 'pipe'; at: number }
  | { kind: 'field'; name: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'ident'; name: string; at: number };

/** Parses a template; throws TemplateSyntaxError at the first problem. */
export function parseTemplate(source: string): Template {
  const fail = (at: number, message: string): never => {
    throw new TemplateSyntaxError({ ...positionOf(source, at), message });
  };
  const nodes: TemplateNode[] = [];
  let cursor = 0;
  let trimNext = false;

  const pushText = (text: string): void => {
    if (text !== '') nodes.push({ kind: 'text', text });
  };

  while (cursor <= source.length) {
    const open = source.indexOf('{{', cursor);
    let text = source.slice(cursor, open === -1 ? source.length : open);
    if (trimNext) {
      let start = 0;
      while (start < text.length && SPACE.has(text[start] ?? '')) start++;
      text = text.slice(start);
      trimNext = false;
    }
    if (open === -1) {
      pushText(text);
      break;
    }
    let inner = open + 2;
    if (source[inner] === '-' && SPACE.has(source[inner + 1] ?? '')) {
      text = trimEndSpace(text);
      inner += 2;
    }
    pushText(text);

    if (source.startsWith('/*', inner)) {
      const close = source.indexOf('*/', inner + 2);
      if (close === -1) fail(open, 'unclosed comment: a comment {{/* … */}} needs its closing */');
      let after = close + 2;
      if (source[after] === ' ' && source.startsWith('-}}', after + 1)) {
        trimNext = true;
        after += 4;
      } else if (source.startsWith('}}', after)) {
        after += 2;
      } else {
        fail(close, 'a comment must end with */}} (or */ -}})');
      }
      cursor = after;
      continue;
    }

    const { tokens, end, trimAfter } = lexAction(source, inner, open, fail);
    trimNext = trimAfter;
    nodes.push({ kind: 'action', stages: parsePipeline(tokens, open, fail), at: open });
    cursor = end;
  }
  return { source, nodes };
}

function lexAction(
  source: string,
  start: number,
  open: number,
  fail: (at: number, message: string) => never,
): { tokens: Token[]; end: number; trimAfter: boolean } {
  const tokens: Token[] = [];
  let index = start;
  for (;;) {
    const spaceStart = index;
    while (SPACE.has(source[index] ?? '')) index++;
    const char = source[index];
    if (char === undefined) return fail(open, 'unclosed action: missing }}');
    if (char === '-' && index > spaceStart && source.startsWith('-}}', index)) {
      return { tokens, end: index + 3, trimAfter: true };
    }
    if (source.startsWith('}}', index)) return { tokens, end: index + 2, trimAfter: false };
    const at = index;
    if (char === '|') {
      tokens.push({ kind: 'pipe', at });
      index++;
    } else if (char === '"') {
      const { value, end } = lexQuoted(source, index, fail);
      tokens.push({ kind: 'string', value, at });
      index = end;
    } else if (char === '`') {
      const close = source.indexOf('`', index + 1);
      if (close === -1) fail(at, 'unterminated raw string');
      tokens.push({ kind: 'string', value: source.slice(index + 1, close), at });
      index = close + 1;
    } else if (char === '.') {
      index++;
      if (!IDENT_START.test(source[index] ?? '')) {
        fail(at, "'.' alone is not supported: name a variable, as in {{.ProjectName}}");
      }
      const nameStart = index;
      while (IDENT_PART.test(source[index] ?? '')) index++;
      const name = source.slice(nameStart, index);
      if (source[index] === '.') fail(at, `nested fields (.${name}.…) are not supported`);
      tokens.push({ kind: 'field', name, at });
    } else if (IDENT_START.test(char)) {
      const nameStart = index;
      while (IDENT_PART.test(source[index] ?? '')) index++;
      tokens.push({ kind: 'ident', name: source.slice(nameStart, index), at });
    } else if (char === '$') {
      fail(at, 'template variables ($…) are not supported');
    } else if (char === '(' || char === ')') {
      fail(at, 'parentheses are not supported: use a pipe, as in {{.Name | upper}}');
    } else if (/[0-9+-]/.test(char)) {
      fail(at, 'number literals are not supported: quote the value, as in "3"');
    } else if (char === ':' || char === '=') {
      fail(at, 'variable assignment is not supported');
    } else {
      fail(at, `unexpected character '${char}' in action`);
    }
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };

function lexQuoted(
  source: string,
  start: number,
  fail: (at: number, message: string) => never,
): { value: string; end: number } {
  let value = '';
  let index = start + 1;
  for (;;) {
    const char = source[index];
    if (char === undefined || char === '\n') return fail(start, 'unterminated string');
    if (char === '"') return { value, end: index + 1 };
    if (char === '\\') {
      const next = source[index + 1] ?? '';
      const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
      if (hexLength > 0) {
        const hex = source.slice(index + 2, index + 2 + hexLength);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLength) fail(index, `bad escape \\${next}${hex}`);
        value += String.fromCodePoint(Number.parseInt(hex, 16));
        index += 2 + hexLength;
        continue;
      }
      const escaped = ESCAPES[next];
      if (escaped === undefined) fail(index, `unknown escape \\${next} in string`);
      value += escaped;
      index += 2;
      continue;
    }
    value += char;
    index++;
  }
}

function parsePipeline(tokens: Token[], open: number, fail: (at: number, message: string) => never): Stage[] {
  const groups: Token[][] = [[]];
  for (const token of tokens) {
    if (token.kind === 'pipe') groups.push([]);
    else groups[groups.length - 1]?.push(token);
  }
  return groups.map((group, stageIndex) => {
    const [head, ...rest] = group;
    if (head === undefined) {
      return fail(open, stageIndex === 0 ? 'empty action {{}}' : 'missing command after |');
    }
    if (head.kind === 'ident') {
      const fn = functionNamed(head, fail);
      const args = rest.map((token): Operand => {
        if (token.kind === 'ident') {
          return KEYWORDS.has(token.name)
            ? fail(token.at, `'${token.name}' is not supported`)
            : fail(token.at, `'${token.name}' cannot be an argument: pipe into it instead, as in {{.X | ${token.name}}}`);
        }
        return token as Operand;
      });
      const given = args.length + (stageIndex > 0 ? 1 : 0);
      const { arity } = FUNCTIONS[fn];
      if (given !== arity) {
        fail(head.at, `${fn} takes ${arity} argument${arity === 1 ? '' : 's'}, got ${given}`);
      }
      return { kind: 'call', fn, args, at: head.at };
    }
    if (stageIndex > 0) {
      return fail(head.at, `after | comes a function (${FUNCTION_LIST}), not a value`);
    }
    const extra = rest[0];
    if (extra !== undefined) {
      fail(extra.at, `unexpected value after ${head.kind === 'field' ? `.${head.name}` : 'a string'}: only functions take arguments`);
    }
    return { kind: 'operand', operand: head as Operand, at: head.at };
  });
}

function functionNamed(token: { name: string; at: number }, fail: (at: number, message: string) => never): FunctionName {
  if (Object.hasOwn(FUNCTIONS, token.name)) return token.name as FunctionName;
  if (KEYWORDS.has(token.name)) {
    return fail(token.at, `'${token.name}' is not supported: templates allow variables, pipes and the functions ${FUNCTION_LIST}`);
  }
  return fail(token.at, `unknown function '${token.name}' (functions: ${FUNCTION_LIST})`);
}

/** The result of rendering: the text, or every problem found. */
export type RenderResult = { ok: true; text: string } | { ok: false; issues: TemplateIssue[] };

/**
 * Renders a parsed template. Every missing variable is reported (not just
 * the first), except one used only as an argument of `default`.
 */
export function renderTemplate(template: Template, variables: Readonly<Record<string, string>>): RenderResult {
  const issues: TemplateIssue[] = [];
  const lookup = (operand: Operand, optional: boolean): string => {
    if (operand.kind === 'string') return operand.value;
    if (Object.hasOwn(variables, operand.name)) return variables[operand.name] ?? '';
    if (!optional) {
      issues.push({ ...positionOf(template.source, operand.at), message: `missing variable .${operand.name}` });
    }
    return '';
  };
  let out = '';
  for (const node of template.nodes) {
    if (node.kind === 'text') {
      out += node.text;
      continue;
    }
    let value = '';
    node.stages.forEach((stage, index) => {
      if (stage.kind === 'operand') {
        const next = node.stages[index + 1];
        value = lookup(stage.operand, next?.kind === 'call' && next.fn === 'default');
        return;
      }
      const optional = stage.fn === 'default';
      const args = stage.args.map((arg) => lookup(arg, optional));
      if (index > 0) args.push(value);
      value = FUNCTIONS[stage.fn].apply(args);
    });
    out += value;
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, text: out };
}

/** The variables a template refers to, in order of first use. */
export function templateVariables(template: Template): string[] {
  const names = new Set<string>();
  for (const node of template.nodes) {
    if (node.kind !== 'action') continue;
    for (const stage of node.stages) {
      const operands = stage.kind === 'operand' ? [stage.operand] : stage.args;
      for (const operand of operands) if (operand.kind === 'field') names.add(operand.name);
    }
  }
  return [...names];
}
