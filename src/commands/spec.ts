import type { CommandContext } from './context.js';

/** An option as declared: its flags as commander reads them (`-j, --jobs <n>`), what it does, and the kind of value. */
export interface OptionSpec {
  flags: string;
  description: string;
  /** flag: true when given; negated: `--no-x`, true unless given; value: one string; list: repeatable. */
  kind: 'flag' | 'negated' | 'value' | 'list';
  choices?: readonly string[];
}

/** An argument as declared: `<name>` required, `[name]` optional, `[name...]` any number. */
export interface ArgumentSpec<Token extends string = string> {
  token: Token;
  description: string;
  choices?: readonly string[];
  /** What shell completion offers for it. */
  completes?: 'prompt' | 'run';
}

type OptionValue<S extends OptionSpec> = S['kind'] extends 'flag' | 'negated' ? boolean : S['kind'] extends 'list' ? string[] : string;
type ArgumentValue<T extends string> = T extends `[${string}...]` ? string[] : T extends `<${string}>` ? string : string | undefined;

/** The options a handler gets: each optional, typed by its declaration. */
export type OptionValues<O extends Record<string, OptionSpec>> = { [K in keyof O]?: OptionValue<O[K]> };
/** The arguments a handler gets, by name. */
export type ArgumentValues<A extends Record<string, ArgumentSpec>> = { [K in keyof A]: ArgumentValue<A[K]['token']> };

/**
 * One command, declared once: the CLI, its help, the README reference and
 * shell completion are all drawn from this. `run` loads the command's code
 * when it is called, so `par --help` loads none of it.
 */
export interface CommandSpec<A extends Record<string, ArgumentSpec> = Record<string, ArgumentSpec>, O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  name: string;
  description: string;
  args: A;
  options: O;
  /** Text after the options in `--help`. */
  help?: string;
  /** Internal: not in help or completion. */
  hidden?: boolean;
  subcommands?: readonly AnyCommand[];
  run?: (ctx: CommandContext, args: ArgumentValues<A>, options: OptionValues<O>) => Promise<number> | number;
}

/** A command of any shape, as the table holds it. */
export interface AnyCommand {
  name: string;
  description: string;
  args: Record<string, ArgumentSpec>;
  options: Record<string, OptionSpec>;
  help?: string;
  hidden?: boolean;
  subcommands?: readonly AnyCommand[];
  run?: (ctx: CommandContext, args: Record<string, string | string[] | undefined>, options: Record<string, unknown>) => Promise<number> | number;
}

/** Declares a command, checking its handler against its arguments and options. */
export function command<const A extends Record<string, ArgumentSpec>, const O extends Record<string, OptionSpec>>(spec: CommandSpec<A, O>): AnyCommand {
  return spec as unknown as AnyCommand;
}

/** An option that is on when given (`--json`). */
export const flag = (flags: string, description: string) => ({ flags, description, kind: 'flag' }) as const;
/** An option that is on unless `--no-…` is given. */
export const negated = (flags: string, description: string) => ({ flags, description, kind: 'negated' }) as const;
/** An option that takes one value (`-j, --jobs <n>`). */
export const value = (flags: string, description: string, choices?: readonly string[]) => ({ flags, description, kind: 'value', ...(choices ? { choices } : {}) }) as const;
/** An option that may be given many times, each value kept (`--var k=v`). */
export const list = (flags: string, description: string) => ({ flags, description, kind: 'list' }) as const;
/** An argument: `<name>` required, `[name]` optional, `[name...]` any number. */
export const arg = <const T extends string>(token: T, description: string, extra: { choices?: readonly string[]; completes?: 'prompt' | 'run' } = {}): ArgumentSpec<T> => ({ token, description, ...extra });
