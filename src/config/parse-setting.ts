import { parse as parseYaml } from 'yaml';
import { UserError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import { checkValue, describeKind, isPlainObject, kindOfKey, knownKeys } from './schema.js';
import { type ParConfig } from './settings.js';

const TRUE = new Set(['true', 'yes', 'on']);
const FALSE = new Set(['false', 'no', 'off']);

function parseFlow(key: string, text: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch {
    throw new UserError(`The value for ${key} is not valid YAML: ${text}; write lists as ["a", "b"].`);
  }
}

/**
 * Parses the text of `par config set KEY VALUE` into the value KEY holds,
 * or throws a UserError naming the key, the value and what it must be.
 */
export function parseSetting(key: string, text: string, config: Pick<ParConfig, 'agents'> & Partial<Pick<ParConfig, 'executors'>>): unknown {
  const kind = kindOfKey(key);
  if (kind === undefined) {
    throw new UserError(
      `'${key}' is not a configuration key.${didYouMean(key, knownKeys(config))} Run 'par config list' to see every key.`,
    );
  }
  if (kind.kind === 'agent') {
    const value = parseFlow(key, text);
    if (!isPlainObject(value)) {
      throw new UserError(`${key} must be a mapping such as '{binary: codex, args: [exec, --json], output: text}', not '${text}'.`);
    }
    return value;
  }
  if (kind.kind === 'executor') {
    const value = parseFlow(key, text);
    if (!isPlainObject(value)) throw new UserError(`${key} must be a mapping such as '{type: ssh, host: me@box1, jobs: 8}', not '${text}'.`);
    return value;
  }
  const trimmed = text.trim();
  let value: unknown;
  switch (kind.kind) {
    case 'int':
      value = /^-?\d+$/.test(trimmed) ? Number(trimmed) : kind.nullable && trimmed === 'null' ? null : text;
      break;
    case 'classifier':
      value = trimmed === '' || trimmed === 'null' ? null : parseFlow(key, trimmed);
      break;
    case 'bool': {
      const lower = trimmed.toLowerCase();
      value = TRUE.has(lower) ? true : FALSE.has(lower) ? false : text;
      break;
    }
    case 'nullable-string':
      value = trimmed === '' || trimmed === 'null' ? null : text;
      break;
    case 'string-list':
      value = trimmed.startsWith('[') ? parseFlow(key, trimmed) : trimmed === '' ? [] : [text];
      break;
    case 'argv':
      value = trimmed === 'null' || trimmed === '' ? null : parseFlow(key, trimmed);
      break;
    case 'argv-list':
      value = trimmed === '' ? [] : parseFlow(key, trimmed);
      break;
    default:
      value = text;
  }
  const why = checkValue(kind, value);
  if (why !== undefined) {
    throw new UserError(`${key} must be ${describeKind(kind)}, not '${text}'${why.startsWith('it must be') ? '' : ` (${why})`}.`);
  }
  return value;
}
