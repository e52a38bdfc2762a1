import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAR_BIN, makeSandbox, runPar, type Sandbox } from '../helpers/par.js';

let sandbox: Sandbox;
beforeEach(() => {
  sandbox = makeSandbox();
  mkdirSync(sandbox.promptsDir, { recursive: true });
  for (const name of ['fix-lint', 'fix-types', 'add-tests']) writeFileSync(join(sandbox.promptsDir, `${name}.md`), `---\ndescription: ${name}\n---\nDo it.\n`);
});
afterEach(() => sandbox.cleanup());

/** What bash offers for the words typed so far (the last one being completed). */
async function complete(words: string[]): Promise<string[]> {
  const script = (await runPar(sandbox, ['completion', 'bash'])).stdout;
  const typed = words.map((word) => `'${word}'`).join(' ');
  const program = `par() { ${JSON.stringify(process.execPath)} ${JSON.stringify(PAR_BIN)} "$@"; }\n${script}\nCOMP_WORDS=(${typed}); COMP_CWORD=${words.length - 1}; _par; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', program], { cwd: sandbox.dir, env: sandbox.env, encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

describe('par completion', () => {
  it.each<[string[], string[]]>([
    [['par', 're'], ['remove', 'report', 'results', 'resume']],
    [['par', 'run', 'fix'], ['fix-lint', 'fix-types']],
    [['par', 'show', ''], ['add-tests', 'fix-lint', 'fix-types']],
    [['par', 'run', 'fix-lint', '--te'], ['--term', '--terminal-output']],
    [['par', 'doctor', '--'], ['--json']],
  ])('bash completes %j to %j', async (words, expected) => {
    expect(await complete(words)).toEqual(expected);
  });

  it('prints zsh and fish completion drawn from the same commands, and refuses another shell', async () => {
    const zsh = await runPar(sandbox, ['completion', 'zsh']);
    expect(zsh.stdout).toContain('bashcompinit');
    expect(zsh.stdout).toContain('complete -o filenames -F _par par');
    const fish = await runPar(sandbox, ['completion', 'fish']);
    expect(fish.stdout).toContain("complete -c par -n __fish_use_subcommand -a 'resume'");
    expect(fish.stdout).toContain("complete -c par -n '__fish_seen_subcommand_from run' -l jobs -s j -r -d 'jobs at once (default: defaults.jobs)'");
    expect(fish.stdout).toContain("complete -c par -n '__fish_seen_subcommand_from run' -a '(par __complete prompts 2>/dev/null)'");
    const other = await runPar(sandbox, ['completion', 'tcsh']);
    expect(other.code).toBe(2);
    expect(other.stderr).toBe("par: Command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish. See 'par --help'.\n");
  });
});
