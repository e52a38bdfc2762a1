import { parseDocument, stringify } from 'yaml';

/** A Markdown file split into its YAML front matter and its body. */
export interface SplitPrompt {
  data: Record<string, unknown>;
  body: string;
  /** The 1-based line of the file on which the body starts. */
  bodyLine: number;
}

const OPEN = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m;

/**
 * Splits `---` front matter from the body. A file without front matter is
 * all body. Throws an Error with a readable message when the front matter
 * is never closed or is not a YAML mapping.
 */
export function splitFrontMatter(text: string): SplitPrompt {
  const open = OPEN.exec(text);
  if (!open) return { data: {}, body: text, bodyLine: 1 };
  const rest = text.slice(open[0].length);
  const close = CLOSE.exec(rest);
  if (!close) throw new Error('its front matter opened with --- on line 1 is never closed by a --- line');
  const yamlText = rest.slice(0, close.index);
  const body = rest.slice(close.index + close[0].length);
  const document = parseDocument(yamlText, { prettyErrors: true });
  const [error] = document.errors;
  if (error) {
    const line = (error.linePos?.[0]?.line ?? 0) + 1;
    throw new Error(`its front matter is not valid YAML at line ${line} (${error.message.split('\n')[0]})`);
  }
  const data: unknown = document.toJS() ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error('its front matter must be a YAML mapping such as "description: …"');
  }
  const bodyLine = 1 + countLines(text.slice(0, text.length - body.length));
  return { data: data as Record<string, unknown>, body, bodyLine };
}

function countLines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

/** Writes front matter and body back into one Markdown text. */
export function joinFrontMatter(data: Record<string, unknown>, body: string): string {
  return `---\n${stringify(data, { lineWidth: 0 })}---\n${body}`;
}
