import { BUILTIN_AGENTS, type AgentConfig } from '../core/run-plan.js';
import { AGENT_FIELDS, CONFIG_SECTIONS, CONTAINER_FIELDS, SETTINGS, SSH_FIELDS, agentWithDefaults, defaultConfig, executorFields, executorWithDefaults, type ParConfig, type ValueKind } from './settings.js';
import { parseDuration } from '../core/duration.js';
import { closestMatches } from '../core/suggest.js';

/** Every leaf key of §8 (agents aside) and what it holds: from the settings table. */
export const CONFIG_KEYS: Readonly<Record<string, ValueKind>> = Object.fromEntries(Object.entries(SETTINGS).map(([key, { kind }]) => [key, kind as ValueKind]));

const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A value that breaks the schema; `path` locates it in the YAML. */
export interface ConfigProblem {
  path: string[];
  message: string;
}

/** Every key a user can name in `config get/set`, for suggestions. */
export function knownKeys(config: Pick<ParConfig, 'agents'> & Partial<Pick<ParConfig, 'executors'>> = { agents: {} }): string[] {
  const agentKeys = Object.keys(config.agents).flatMap((name) => [
    `agents.${name}`,
    ...Object.keys(AGENT_FIELDS).map((field) => `agents.${name}.${field}`),
  ]);
  const executorKeys = Object.entries(config.executors ?? {}).flatMap(([name, entry]) => [`executors.${name}`, ...Object.keys(entry.type === 'container' ? CONTAINER_FIELDS : SSH_FIELDS).map((field) => `executors.${name}.${field}`)]);
  return [...Object.keys(CONFIG_KEYS), ...agentKeys, ...executorKeys];
}

function describeKind(kind: ValueKind): string {
  switch (kind.kind) {
    case 'int':
      return `${kind.max !== undefined ? `a whole number from ${kind.min} to ${kind.max}` : `a whole number of ${kind.min} or more`}${kind.nullable ? ', or null' : ''}`;
    case 'duration':
      return `a duration such as 90s, 30m, 2h or 1h30m${kind.zero ? ', or 0 for none' : ''}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${kind.values.join(', ')}`;
    case 'string':
      return 'a non-empty text';
    case 'nullable-string':
      return 'a text, or null';
    case 'string-list':
      return 'a list of texts, such as ["a", "b"]';
    case 'argv':
      return 'an argument list such as ["kitty", "--directory", "{dir}", "{cmd}"], or null';
    case 'argv-list':
      return 'a list of argument lists, such as [["npm", "ci"]]';
    case 'classifier':
      return 'null, or {agent: claude, model: NAME} (a small model such as haiku)';
  }
}

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Why `value` does not fit `kind`, or undefined when it does. */
function checkValue(kind: ValueKind, value: unknown): string | undefined {
  const fits = ((): boolean => {
    switch (kind.kind) {
      case 'int':
        return (value === null && kind.nullable === true) || (typeof value === 'number' && Number.isInteger(value) && value >= kind.min && value <= (kind.max ?? Infinity));
      case 'duration':
        return (kind.zero === true && (value === '0' || value === 0)) || (typeof value === 'string' && parseDuration(value) !== undefined);
      case 'bool':
        return typeof value === 'boolean';
      case 'enum':
        return typeof value === 'string' && kind.values.includes(value);
      case 'string':
        return typeof value === 'string' && value.trim() !== '';
      case 'nullable-string':
        return value === null || (typeof value === 'string' && value.trim() !== '');
      case 'string-list':
        return isStringList(value);
      case 'argv':
        return (value === null && kind.nullable) || (isStringList(value) && value.length > 0);
      case 'argv-list':
        return Array.isArray(value) && value.every((argv) => isStringList(argv) && argv.length > 0);
      case 'classifier':
        return value === null || (isPlainObject(value) && value.agent === 'claude' && typeof value.model === 'string' && value.model.trim() !== '' && Object.keys(value).every((key) => key === 'agent' || key === 'model'));
    }
  })();
  if (!fits) return `it must be ${describeKind(kind)}`;
  if (kind.kind === 'string' && kind.check && typeof value === 'string') return kind.check(value);
  if (kind.kind === 'argv' && kind.check && isStringList(value)) return kind.check(value);
  return undefined;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function unknownKeyMessage(key: string, candidates: readonly string[]): string {
  const [best] = closestMatches(key, candidates, 1);
  return `${key} is not a configuration key${best ? ` (did you mean ${best}?)` : ''}`;
}

/** Checks a raw configuration object (as parsed from YAML) against §8. */
export function validateConfig(raw: unknown): ConfigProblem[] {
  if (!isPlainObject(raw)) return [{ path: [], message: 'the file must hold a YAML mapping of sections' }];
  const problems: ConfigProblem[] = [];
  for (const [section, body] of Object.entries(raw)) {
    if (!CONFIG_SECTIONS.includes(section)) {
      problems.push({ path: [section], message: unknownKeyMessage(section, CONFIG_SECTIONS) });
      continue;
    }
    if (body === null) continue;
    if (!isPlainObject(body)) {
      problems.push({ path: [section], message: `${section} must be a mapping of keys` });
      continue;
    }
    if (section === 'agents') {
      problems.push(...validateAgents(body));
      continue;
    }
    if (section === 'executors') {
      problems.push(...validateExecutors(body));
      continue;
    }
    for (const [key, value] of Object.entries(body)) {
      const fullKey = `${section}.${key}`;
      const kind = CONFIG_KEYS[fullKey];
      if (kind === undefined) {
        problems.push({ path: [section, key], message: unknownKeyMessage(fullKey, Object.keys(CONFIG_KEYS)) });
        continue;
      }
      const why = checkValue(kind, value);
      if (why) problems.push({ path: [section, key], message: `${fullKey} is ${show(value)}, but ${why}` });
      else if (kind.kind === 'string-list' && kind.checkItem && isStringList(value)) {
        // Each item checked on its own, so the problem names the item and its line.
        value.forEach((item, index) => {
          const itemWhy = kind.checkItem?.(item);
          if (itemWhy) problems.push({ path: [section, key, String(index)], message: `${fullKey} holds a malformed rule: ${itemWhy}` });
        });
      }
    }
  }
  return problems;
}

function validateAgents(agents: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [name, entry] of Object.entries(agents)) {
    if (!AGENT_NAME.test(name)) {
      problems.push({ path: ['agents', name], message: `agent name '${name}' must be letters, digits, - or _` });
      continue;
    }
    if (name === 'claude') {
      problems.push({ path: ['agents', name], message: 'agents.claude is built in; configure it under claude: instead' });
      continue;
    }
    if (!isPlainObject(entry)) {
      problems.push({ path: ['agents', name], message: `agents.${name} must be a mapping with at least binary:` });
      continue;
    }
    const builtin = (BUILTIN_AGENTS as readonly string[]).includes(name);
    if (entry.binary === undefined && !builtin) {
      problems.push({ path: ['agents', name], message: `agents.${name} needs binary: the program to run` });
    }
    const settable = builtin ? Object.fromEntries(Object.entries(entry).filter(([field]) => field === 'binary' || field === 'args')) : entry;
    for (const field of Object.keys(entry)) {
      if (!(field in settable)) problems.push({ path: ['agents', name, field], message: `agents.${name} is built in: only its binary and args can be set, not ${field}` });
    }
    problems.push(...checkFields(['agents', name], settable, AGENT_FIELDS));
  }
  return problems;
}

/** Each field of a section's entry (`agents.NAME`, `executors.NAME`) checked against its table: unknown ones named with a suggestion, bad values said. */
function checkFields(at: string[], entry: Record<string, unknown>, fields: Readonly<Record<string, { kind: ValueKind }>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const prefix = at.join('.');
  for (const [field, value] of Object.entries(entry)) {
    const key = `${prefix}.${field}`;
    const kind = fields[field]?.kind;
    if (kind === undefined) {
      problems.push({ path: [...at, field], message: unknownKeyMessage(key, Object.keys(fields).map((known) => `${prefix}.${known}`)) });
      continue;
    }
    const why = checkValue(kind, value);
    if (why) problems.push({ path: [...at, field], message: `${key} is ${show(value)}, but ${why}` });
  }
  return problems;
}

/** Names a run's `--on` cannot take for an entry. */
const RESERVED_EXECUTORS = ['local', 'all'];

function validateExecutors(executors: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [name, entry] of Object.entries(executors)) {
    const at = ['executors', name];
    if (!AGENT_NAME.test(name)) {
      problems.push({ path: at, message: `executor name '${name}' must be letters, digits, - or _` });
      continue;
    }
    if (RESERVED_EXECUTORS.includes(name)) {
      problems.push({ path: at, message: `executors.${name}: '${name}' is built into --on; choose another name` });
      continue;
    }
    const fields = isPlainObject(entry) ? executorFields(entry.type) : undefined;
    if (!isPlainObject(entry) || !fields) {
      problems.push({ path: at, message: `executors.${name} must be a mapping with type: ssh or type: container` });
      continue;
    }
    if (entry.type === 'ssh' && entry.host === undefined) problems.push({ path: at, message: `executors.${name} needs host: (user@host, or a name from ~/.ssh/config)` });
    if (entry.type === 'container' && entry.image === undefined) problems.push({ path: at, message: `executors.${name} needs image: (the image each job runs in, with git and the agent)` });
    problems.push(...checkFields(at, entry, fields));
  }
  return problems;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
}

/** The configuration file's values laid over the defaults. Assumes a valid `raw`. */
export function mergeWithDefaults(raw: Record<string, unknown>): ParConfig {
  const config = defaultConfig();
  const target = config as unknown as Record<string, Record<string, unknown>>;
  for (const [section, body] of Object.entries(raw)) {
    if (!isPlainObject(body)) continue;
    if (section === 'agents') {
      for (const [name, entry] of Object.entries(body)) {
        config.agents[name] = agentWithDefaults(entry as Partial<AgentConfig>);
      }
      continue;
    }
    if (section === 'executors') {
      for (const [name, entry] of Object.entries(body)) if (isPlainObject(entry)) config.executors[name] = executorWithDefaults(entry);
      continue;
    }
    Object.assign(target[section] ?? {}, body);
  }
  return config;
}

/** What `par config set KEY VALUE` may be given for KEY; undefined when KEY is not settable. */
export function kindOfKey(key: string): ValueKind | { kind: 'agent' } | { kind: 'executor' } | undefined {
  const direct = CONFIG_KEYS[key];
  if (direct) return direct;
  const executor = /^executors\.([^.]+)(?:\.([^.]+))?$/.exec(key);
  if (executor) return executor[2] === undefined ? { kind: 'executor' } : ({ ...CONTAINER_FIELDS, ...SSH_FIELDS } as Record<string, { kind: ValueKind } | undefined>)[executor[2]]?.kind;
  const agent = /^agents\.([^.]+)(?:\.([^.]+))?$/.exec(key);
  if (!agent) return undefined;
  const [, , field] = agent;
  if (field === undefined) return { kind: 'agent' };
  return (AGENT_FIELDS as Record<string, { kind: ValueKind } | undefined>)[field]?.kind;
}

export { checkValue, describeKind, isPlainObject };
