// The `safe` preset (DESIGN §14): reads and searches, edits inside the job's
// worktree, test/lint/build commands and ordinary git are allowed; deleting
// outside the worktree, force pushes, hard resets and cleans outside it,
// reading secrets, piping downloads into a shell and dropping databases are
// denied; everything else is asked. Pure.
import { EDIT_TOOLS, READ_TOOLS, callPath, normalizePath, resolvePath, type PolicyPlace, type ToolCall } from './rules.js';
import { SHELLS, type SimpleCommand } from './shell.js';

/** What the preset says of one call or one simple command: a verdict and why; null leaves it to the default. */
export type PresetVerdict = { verdict: 'allow' | 'deny'; why: string } | null;

/**
 * The preset's secret rules in Claude Code's syntax, handed to the CLI as
 * `--disallowedTools`: the CLI runs commands it judges read-only (`cat .env`)
 * without asking, but applies Read rules to them.
 */
export const SAFE_CLI_DENY: readonly string[] = ['Read(**/.env*)', 'Read(~/.ssh/**)', 'Read(~/.aws/**)', 'Read(~/.config/gh/**)', 'Read(~/.gnupg/**)', 'Read(~/.netrc)', 'Read(**/.git-credentials)', 'Read(**/.pgpass)', 'Read(**/credentials.json)', 'Read(**/*.pem)', 'Read(**/id_rsa*)', 'Read(**/id_ed25519*)'];

const SECRET_NAMES = [/^\.env(\..*)?$/, /^\.netrc$/, /^\.git-credentials$/, /^\.pgpass$/, /^credentials(\.json)?$/, /^\.credentials\.json$/, /^id_(rsa|dsa|ecdsa|ed25519)(\.pub)?$/, /\.(pem|key|p12|pfx)$/];
const SECRET_DIRS = ['.ssh', '.aws', '.config/gh', '.gnupg', '.docker/config.json', '.kube/config'];

/** Does this absolute path hold secrets? */
export function isSecretPath(path: string, home: string): boolean {
  const name = path.split('/').pop() ?? '';
  if (SECRET_NAMES.some((pattern) => pattern.test(name))) return true;
  const base = normalizePath(home);
  return SECRET_DIRS.some((dir) => path === `${base}/${dir}` || path.startsWith(`${base}/${dir}/`));
}

const inside = (path: string, worktree: string): boolean => {
  const root = normalizePath(worktree);
  return path === root || path.startsWith(`${root}/`);
};

/** The preset on a tool call that is not Bash. */
export function presetForCall(call: ToolCall, place: PolicyPlace, plan: boolean): PresetVerdict {
  const path = callPath(call, place);
  if (path !== null && isSecretPath(path, place.home) && (READ_TOOLS.has(call.tool) || EDIT_TOOLS.has(call.tool))) return { verdict: 'deny', why: 'safe: reads or writes a secret' };
  if (READ_TOOLS.has(call.tool)) return { verdict: 'allow', why: 'safe: reads and searches' };
  if (['TodoWrite', 'Task', 'Agent', 'BashOutput', 'KillShell', 'KillBash'].includes(call.tool)) return { verdict: 'allow', why: 'safe: works inside the session' };
  if (plan) return ['WebFetch', 'WebSearch'].includes(call.tool) ? { verdict: 'allow', why: 'planning: reads the web' } : { verdict: 'deny', why: 'planning is read-only' };
  if (EDIT_TOOLS.has(call.tool) && path !== null && inside(path, place.worktree)) return { verdict: 'allow', why: "safe: edits inside the job's worktree" };
  return null;
}

const READ_ONLY = new Set(['ls', 'cat', 'head', 'tail', 'wc', 'grep', 'egrep', 'fgrep', 'rg', 'ag', 'pwd', 'echo', 'printf', 'which', 'type', 'diff', 'cmp', 'sort', 'uniq', 'cut', 'tr', 'file', 'stat', 'du', 'df', 'tree', 'basename', 'dirname', 'realpath', 'readlink', 'date', 'true', 'false', 'test', '[', 'cd', 'jq', 'nl', 'tac', 'column', 'comm', 'od', 'hexdump', 'sha256sum', 'md5sum', 'whoami', 'uname', 'env', 'printenv', 'sleep', 'seq']);
const TEST_TOOLS = new Set(['tsc', 'eslint', 'prettier', 'vitest', 'jest', 'mocha', 'pytest', 'ruff', 'mypy', 'black', 'flake8', 'rspec', 'phpunit', 'make', 'biome', 'tox', 'nox']);
const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
const SCRIPT_VERBS = new Set(['test', 't', 'run', 'run-script', 'lint', 'build', 'typecheck', 'check', 'format']);
const GIT_READ = new Set(['status', 'diff', 'log', 'show', 'blame', 'grep', 'ls-files', 'rev-parse', 'describe', 'shortlog', 'reflog']);
const GIT_WRITE = new Set(['add', 'commit', 'stash']);
const INTERPRETERS = new Set([...SHELLS, 'python', 'python3', 'perl', 'ruby', 'node']);

/** `git -C dir -c k=v sub args`: the subcommand, its arguments and the directory it works in. */
function gitParts(words: string[], cwd: string): { sub: string; args: string[]; dir: string } {
  let dir = cwd;
  let index = 1;
  while (index < words.length && (words[index] as string).startsWith('-')) {
    const option = words[index] as string;
    if (option === '-C' || option === '--git-dir' || option === '--work-tree') {
      if (option === '-C') dir = words[index + 1] ?? dir;
      index += 2;
    } else if (option === '-c') index += 2;
    else index++;
  }
  return { sub: words[index] ?? '', args: words.slice(index + 1), dir };
}

function gitVerdict(command: SimpleCommand, cwd: string, place: PolicyPlace, plan: boolean): PresetVerdict {
  const { sub, args, dir } = gitParts(command.words, cwd);
  const where = resolvePath(dir, place);
  const outside = !inside(where, place.worktree) || dir.includes('$');
  if (sub === 'push' && args.some((arg) => arg === '-f' || arg.startsWith('--force') || /^\+/.test(arg))) return { verdict: 'deny', why: 'safe: a force push' };
  if (sub === 'reset' && args.includes('--hard') && outside) return { verdict: 'deny', why: "safe: git reset --hard outside the job's worktree" };
  if (sub === 'clean' && args.some((arg) => /^-[a-zA-Z]*f/.test(arg) || arg === '--force') && outside) return { verdict: 'deny', why: "safe: git clean outside the job's worktree" };
  if (outside) return null;
  if (GIT_READ.has(sub)) return { verdict: 'allow', why: 'safe: ordinary git' };
  if (plan) return null;
  if (GIT_WRITE.has(sub)) return { verdict: 'allow', why: 'safe: ordinary git' };
  if ((sub === 'switch' && (args[0] === '-c' || args[0] === '-C')) || (sub === 'checkout' && args[0] === '-b')) return { verdict: 'allow', why: 'safe: a new branch' };
  if (sub === 'branch' && args.every((arg) => ['-a', '-v', '-vv', '--list', '-r', '--show-current'].includes(arg))) return { verdict: 'allow', why: 'safe: ordinary git' };
  return null;
}

/** The arguments of a command that name files, absolute. */
function fileArguments(command: SimpleCommand, cwd: string, place: PolicyPlace): string[] {
  return command.words
    .slice(1)
    .filter((word) => !word.startsWith('-') || word.includes('/'))
    .map((word) => word.replace(/^--?[a-z-]+=/, ''))
    .map((word) => resolvePath(word, place, cwd));
}

function isTestCommand(words: string[]): boolean {
  const [name = '', verb = '', third = ''] = words;
  if (PACKAGE_MANAGERS.has(name)) return SCRIPT_VERBS.has(verb) || (name === 'yarn' && verb !== '' && !['add', 'remove', 'install', 'dlx', 'global', 'exec', 'upgrade'].includes(verb) && !verb.startsWith('-'));
  if (name === 'npx' || name === 'pnpx') return TEST_TOOLS.has(verb);
  if (name === 'python' || name === 'python3') return verb === '-m' && ['pytest', 'unittest', 'mypy', 'ruff', 'black'].includes(third);
  if (name === 'go') return ['test', 'build', 'vet', 'fmt'].includes(verb);
  if (name === 'cargo') return ['test', 'build', 'check', 'clippy', 'fmt'].includes(verb);
  if (name === 'bundle') return verb === 'exec' && ['rspec', 'rake'].includes(third);
  if (name === 'dotnet') return ['test', 'build'].includes(verb);
  return TEST_TOOLS.has(name) || /^\.\/(gradlew|mvnw)$/.test(name) && ['test', 'build', 'check'].includes(verb);
}

/** The preset on one simple command of a Bash call, run in `cwd` (the worktree, or where a `cd` took it). */
export function presetForCommand(command: SimpleCommand, place: PolicyPlace, plan: boolean): PresetVerdict {
  const cwd = command.cd === null ? place.worktree : resolvePath(command.cd, place);
  const [name = ''] = command.words;
  const text = command.text;
  if (/\bdrop\s+(database|table|schema)\b/i.test(text) || name === 'dropdb' || (name === 'redis-cli' && /\bflush(all|db)\b/i.test(text))) return { verdict: 'deny', why: 'safe: drops a database' };
  if ((name === 'curl' || name === 'wget') && command.pipesInto !== null && INTERPRETERS.has(command.pipesInto)) return { verdict: 'deny', why: 'safe: a download piped into a shell' };
  const files = fileArguments(command, cwd, place);
  const writes = command.writes.filter((target) => !target.startsWith('/dev/')).map((target) => resolvePath(target, place, cwd));
  if ([...files, ...writes].some((path) => isSecretPath(path, place.home))) return { verdict: 'deny', why: 'safe: reads or writes a secret' };
  if (name === 'rm' && command.words.some((word) => /^-[a-zA-Z]*[rR]/.test(word) || word === '--recursive')) {
    const targets = command.words.slice(1).filter((word) => !word.startsWith('-'));
    const risky = command.expands || targets.length === 0 || targets.some((target) => {
      const path = resolvePath(target, place, cwd);
      return !inside(path, place.worktree) || path === normalizePath(place.worktree);
    });
    return risky ? { verdict: 'deny', why: "safe: rm -r outside the job's worktree" } : null;
  }
  if (name === 'git') return gitVerdict(command, cwd, place, plan);
  // A redirection out of the worktree is asked about, whatever writes it.
  if (writes.some((path) => !inside(path, place.worktree))) return plan ? { verdict: 'deny', why: 'planning is read-only' } : null;
  if (plan && writes.length > 0) return { verdict: 'deny', why: 'planning is read-only' };
  if (READ_ONLY.has(name)) return { verdict: 'allow', why: 'safe: a read-only command' };
  if (name === 'find' && !command.words.some((word) => ['-delete', '-exec', '-execdir', '-ok', '-okdir', '-fprint', '-fprintf', '-fls'].includes(word))) return { verdict: 'allow', why: 'safe: a read-only command' };
  if (name === 'sed' && !command.words.some((word) => /^-[a-zA-Z]*i/.test(word) || word.startsWith('--in-place'))) return { verdict: 'allow', why: 'safe: a read-only command' };
  if (plan) return { verdict: 'deny', why: 'planning is read-only' };
  if (isTestCommand(command.words)) return { verdict: 'allow', why: 'safe: a test, lint or build command' };
  return null;
}
