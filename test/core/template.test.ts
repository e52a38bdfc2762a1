import { describe, expect, it } from 'vitest';
import { TemplateSyntaxError, parseTemplate, renderTemplate, templateVariables } from '../../src/core/template.js';

function render(source: string, variables: Record<string, string> = {}): string {
  const result = renderTemplate(parseTemplate(source), variables);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.text;
}

function syntaxError(source: string): { line: number; column: number; message: string } {
  try {
    parseTemplate(source);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return error.issue;
    throw error;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(source)}`);
}

const vars = { Name: 'world', Project: 'par', Empty: '', Mixed: 'hello big world' };

describe('rendering', () => {
  it.each([
    ['plain text', 'no actions here', 'no actions here'],
    ['empty template', '', ''],
    ['a variable', 'Hello {{.Name}}!', 'Hello world!'],
    ['spaces inside the action', 'Hello {{ .Name }}!', 'Hello world!'],
    ['upper', '{{upper .Name}}', 'WORLD'],
    ['lower', '{{lower "ABC"}}', 'abc'],
    ['title', '{{title .Mixed}}', 'Hello Big World'],
    ['pipe', '{{.Name | upper}}', 'WORLD'],
    ['pipe chain', '{{.Mixed | title | lower}}', 'hello big world'],
    ['default with a missing variable', '{{default "fallback" .Optional}}', 'fallback'],
    ['default with an empty variable', '{{default "fallback" .Empty}}', 'fallback'],
    ['default with a set variable', '{{default "fallback" .Name}}', 'world'],
    ['default in a pipe', '{{.Optional | default "x"}}', 'x'],
    ['string literal', '{{"a \\"quoted\\" \\u00e9"}}', 'a "quoted" é'],
    ['raw string', '{{`{{not an action}}`}}', '{{not an action}}'],
    ['comment', 'a{{/* a comment */}}b', 'ab'],
    ['comment across lines', 'a{{/* one\ntwo */}}b', 'ab'],
    ['left trim', 'a  \n {{- .Name}}', 'aworld'],
    ['right trim', '{{.Name -}} \n\t b', 'worldb'],
    ['both trims around a comment', 'a \n{{- /* c */ -}}\n b', 'ab'],
    ['a dash that is not a trim marker stays text', 'x{{.Name}}-y', 'xworld-y'],
    ['braces in code blocks pass through', '```js\nconst o = { a: {b: 1} };\n```', '```js\nconst o = { a: {b: 1} };\n```'],
    ['a single brace pair in text', 'function f() { return {}; } {{.Name}}', 'function f() { return {}; } world'],
    ['unicode around actions', 'héllo 🌍 {{.Name}} ✓', 'héllo 🌍 world ✓'],
    ['unicode values', '{{upper .U}}', 'ÉTÉ'],
    ['CRLF text is kept byte for byte', 'a\r\n{{.Name}}\r\nb\r\n', 'a\r\nworld\r\nb\r\n'],
    ['closing braces in text', 'x }} y {{.Name}}', 'x }} y world'],
  ])('%s', (_name, source, expected) => {
    expect(render(source, { ...vars, U: 'été' })).toBe(expected);
  });

  it('renders a 1 MB template with text passed through unchanged', () => {
    const chunk = 'Line with {braces} and ünïcode.\n';
    const text = chunk.repeat(Math.ceil(1_048_576 / chunk.length));
    const source = `${text}{{.Name}}${text}`;
    expect(render(source, vars)).toBe(`${text}world${text}`);
  });

  it('reports every missing variable with its line and column', () => {
    const result = renderTemplate(parseTemplate('Fix {{.A}}\nin  {{upper .B}} and {{.A}}'), {});
    expect(result).toEqual({
      ok: false,
      issues: [
        { line: 1, column: 7, message: 'missing variable .A' },
        { line: 2, column: 13, message: 'missing variable .B' },
        { line: 2, column: 24, message: 'missing variable .A' },
      ],
    });
  });

  it('counts columns in characters, not bytes', () => {
    const result = renderTemplate(parseTemplate('éé🌍 {{.Missing}}'), {});
    expect(result.ok ? undefined : result.issues[0]).toMatchObject({ line: 1, column: 7 });
  });

  it('lists the variables a template uses', () => {
    expect(templateVariables(parseTemplate('{{.A}} {{default .B .C}} {{.A | upper}}'))).toEqual(['A', 'B', 'C']);
  });
});

describe('errors name the construct, line and column', () => {
  it.each([
    ['if', 'a\n{{if .X}}y{{end}}', 2, 3, "'if' is not supported"],
    ['range', '{{range .Items}}', 1, 3, "'range' is not supported"],
    ['end alone', '{{end}}', 1, 3, "'end' is not supported"],
    ['unknown function', '{{shout .Name}}', 1, 3, "unknown function 'shout'"],
    ['unclosed action', 'text {{.Name', 1, 6, 'unclosed action'],
    ['unclosed comment', '{{/* never closed', 1, 1, 'unclosed comment'],
    ['empty action', '{{}}', 1, 1, 'empty action'],
    ['variables', '{{$x := 1}}', 1, 3, 'template variables'],
    ['parentheses', '{{upper (lower .X)}}', 1, 9, 'parentheses'],
    ['numbers', '{{default 3 .X}}', 1, 11, 'number literals'],
    ['nested fields', '{{.A.B}}', 1, 3, 'nested fields'],
    ['dot alone', '{{.}}', 1, 3, "'.' alone"],
    ['a value after |', '{{.A | .B}}', 1, 8, 'after | comes a function'],
    ['a value given arguments', '{{.A "x"}}', 1, 6, 'unexpected value'],
    ['wrong arity', '{{upper .A .B}}', 1, 3, 'upper takes 1 argument, got 2'],
    ['default with one argument', '{{default .A}}', 1, 3, 'default takes 2 arguments, got 1'],
    ['unterminated string', '{{upper "abc}}', 1, 9, 'unterminated string'],
    ['a function as an argument', '{{upper lower}}', 1, 9, "'lower' cannot be an argument"],
    ['missing command after a pipe', '{{.A |}}', 1, 1, 'missing command after |'],
    ['a stray character', '{{.A , .B}}', 1, 6, "unexpected character ','"],
    ['line counting with CRLF', 'a\r\nb\r\n  {{if}}', 3, 5, "'if' is not supported"],
  ])('%s', (_name, source, line, column, message) => {
    const issue = syntaxError(source);
    expect(issue.message).toContain(message);
    expect({ line: issue.line, column: issue.column }).toEqual({ line, column });
  });
});
