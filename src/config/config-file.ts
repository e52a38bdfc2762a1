import type Conf from 'conf';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, LineCounter, isMap, isNode, isScalar, parseDocument } from 'yaml';
import { UserError } from '../core/errors.js';
import { isPlainObject, validateConfig, type ConfigProblem } from './schema.js';

const HEADER = ' par configuration. Every key and its value: par config list';

/**
 * The YAML configuration file, written through conf (loaded only to write:
 * it costs more than a tenth of a second to load, and reads need only the
 * YAML parser). Every read is
 * validated; a broken or invalid file throws a UserError naming the file,
 * line, key and value, and is never rewritten. Writes edit the YAML
 * document in place, so comments and layout written by hand survive.
 */
export class ConfigFile {
  readonly path: string;
  readonly #directory: string;
  #document: Document | undefined;
  #lineCounter = new LineCounter();

  constructor(directory: string) {
    this.#directory = directory;
    this.path = join(directory, 'config.yaml');
  }

  /** The file's values, validated; `{}` when there is no file. */
  read(): Record<string, unknown> {
    return existsSync(this.path) ? this.#deserialize(readFileSync(this.path, 'utf8')) : {};
  }

  /** Sets one dotted key, validating the whole result before anything is written. */
  async set(key: string, value: unknown): Promise<void> {
    (await this.#conf()).set(key, value);
  }

  async #conf(): Promise<Conf<Record<string, unknown>>> {
    const { default: Conf } = await import('conf');
    return new Conf<Record<string, unknown>>({
      cwd: this.#directory,
      configName: 'config',
      fileExtension: 'yaml',
      projectSuffix: '',
      accessPropertiesByDotNotation: true,
      clearInvalidConfig: false,
      serialize: (value) => this.#serialize(value),
      deserialize: (text) => this.#deserialize(text),
    });
  }

  #deserialize(text: string): Record<string, unknown> {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
    const [syntax] = document.errors;
    if (syntax) {
      const line = syntax.linePos?.[0]?.line;
      const what = syntax.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'broken YAML';
      throw new UserError(
        `The config file ${this.path}${line ? ` line ${line}` : ''} is not valid YAML (${what}); fix it by hand, par never rewrites it.`,
      );
    }
    const raw: unknown = document.toJS() ?? {};
    this.#throwOnProblems(validateConfig(raw), document, lineCounter);
    this.#document = document;
    this.#lineCounter = lineCounter;
    return raw as Record<string, unknown>;
  }

  #serialize(value: Record<string, unknown>): string {
    const document = this.#document ?? newDocument();
    this.#throwOnProblems(validateConfig(value), document, this.#lineCounter, true);
    applyValue(document, [], value);
    return document.toString();
  }

  #throwOnProblems(problems: ConfigProblem[], document: Document, lineCounter: LineCounter, pending = false): void {
    const [first] = problems;
    if (!first) return;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    if (pending) throw new UserError(`Not saved: ${first.message}${more}.`);
    const node = first.path.length > 0 ? document.getIn(first.path, true) : document.contents;
    const offset = isNode(node) ? node.range?.[0] : undefined;
    const line = offset === undefined ? '' : ` line ${lineCounter.linePos(offset).line}`;
    throw new UserError(
      `The config file ${this.path}${line} is invalid: ${first.message}${more}; correct ${line ? 'that line' : 'it'} in the file with an editor (par config set reads the file first, so it cannot mend it).`,
    );
  }
}

function newDocument(): Document {
  const document = new Document({});
  document.commentBefore = HEADER;
  return document;
}

function currentValue(document: Document, path: string[]): unknown {
  const node = document.getIn(path, true);
  if (isScalar(node)) return node.value;
  return isNode(node) ? node.toJSON() : node;
}

/** Makes `document` hold `value` at `path`, touching only what changed. */
function applyValue(document: Document, path: string[], value: unknown): void {
  const node = path.length === 0 ? document.contents : document.getIn(path, true);
  if (isPlainObject(value) && isMap(node)) {
    for (const item of [...node.items]) {
      const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
      if (!Object.hasOwn(value, key)) document.deleteIn([...path, key]);
    }
    for (const [key, child] of Object.entries(value)) applyValue(document, [...path, key], child);
    return;
  }
  if (JSON.stringify(currentValue(document, path)) === JSON.stringify(value)) return;
  if (isScalar(node) && (value === null || typeof value !== 'object')) {
    // Changing the scalar in place keeps a comment on the same line.
    node.value = value;
    return;
  }
  const created = document.createNode(value, { flow: Array.isArray(value) });
  if (path.length === 0) document.contents = created;
  else document.setIn(path, created);
}
