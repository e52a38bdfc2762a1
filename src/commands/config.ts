import { stringify } from 'yaml';
import { ConfigFile } from '../config/config-file.js';
import { parseSetting } from '../config/parse-setting.js';
import { CONFIG_KEYS, knownKeys, mergeWithDefaults } from '../config/schema.js';
import { UserError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';
import { formatTable } from '../core/table.js';
import { terminalWidth, type CommandContext } from './context.js';
import { CONFIG_SECTIONS, type ParConfig } from '../config/settings.js';
import { BUILTIN_AGENTS } from '../core/run-plan.js';

/** The configuration as shown: codex and gemini with only what can be set for them (their binary and args). */
function shown(config: ParConfig): ParConfig {
  const agents = Object.fromEntries(
    Object.entries(config.agents).map(([name, agent]) => {
      if (!(BUILTIN_AGENTS as readonly string[]).includes(name)) return [name, agent];
      return [name, { ...(agent.binary ? { binary: agent.binary } : {}), args: agent.args }];
    }),
  );
  return { ...config, agents: agents as ParConfig['agents'] };
}

function open(ctx: CommandContext): { file: ConfigFile; raw: Record<string, unknown>; config: ParConfig } {
  const file = new ConfigFile(ctx.paths.configDir);
  const raw = file.read();
  return { file, raw, config: shown(mergeWithDefaults(raw)) };
}

function lookup(source: unknown, key: string): { found: boolean; value: unknown } {
  let value: unknown = source;
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, part)) {
      return { found: false, value: undefined };
    }
    value = (value as Record<string, unknown>)[part];
  }
  return { found: true, value };
}

function inline(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `par config list [--json]`: every key with its value and whether the file sets it. */
export function runConfigList(ctx: CommandContext, options: { json?: boolean }): number {
  const { raw, config } = open(ctx);
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    return 0;
  }
  const keys = [...Object.keys(CONFIG_KEYS).filter((key) => !key.startsWith('prompts.')), 'agents', 'executors', 'prompts.storage_dir'];
  const rows = keys.map((key) => ({ key, value: inline(lookup(config, key).value), set: lookup(raw, key).found }));
  ctx.stdout.write(
    formatTable(
      rows,
      [
        { header: 'KEY', value: (row) => row.key },
        { header: 'VALUE', value: (row) => row.value, flexible: true },
        { header: 'FROM', value: (row) => (row.set ? 'config file' : 'default') },
      ],
      terminalWidth(ctx.stdout),
    ),
  );
  return 0;
}

/** `par config get KEY [--json]`: a key's value, a whole section, or an agent. */
export function runConfigGet(ctx: CommandContext, key: string, options: { json?: boolean }): number {
  const { config } = open(ctx);
  const { found, value } = lookup(config, key);
  if (!found) {
    const candidates = [...CONFIG_SECTIONS, ...knownKeys(config)];
    throw new UserError(`'${key}' is not a configuration key.${didYouMean(key, candidates)} Run 'par config list' to see every key.`);
  }
  if (options.json) ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else if (typeof value === 'object' && value !== null) ctx.stdout.write(stringify(value));
  else ctx.stdout.write(`${String(value)}\n`);
  return 0;
}

/** `par config set KEY VALUE`: validates, then edits the YAML in place (comments kept). */
export async function runConfigSet(ctx: CommandContext, key: string, text: string): Promise<number> {
  const { file, config } = open(ctx);
  if (CONFIG_SECTIONS.includes(key)) {
    const example = Object.keys(CONFIG_KEYS).find((candidate) => candidate.startsWith(`${key}.`)) ?? `${key}.NAME`;
    throw new UserError(`${key} is a section, not a key; set one of its keys, such as ${example}.`);
  }
  const value = parseSetting(key, text, config);
  await file.set(key, value);
  ctx.log.info('config set', { key, value });
  ctx.stdout.write(`${key} = ${inline(value)}\n`);
  return 0;
}

/** `par config path`: where the configuration file is (whether or not it exists yet). */
export function runConfigPath(ctx: CommandContext): number {
  ctx.stdout.write(`${ctx.paths.configFile}\n`);
  return 0;
}
