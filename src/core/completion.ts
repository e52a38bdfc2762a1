/** A command as completion sees it: its name, options, and whether its first argument is a prompt. */
export interface CompletionCommand {
  name: string;
  options: { long: string; short: string | null; takesValue: boolean; description: string }[];
  promptArgument: boolean;
  /** Its first argument is a run id. */
  runArgument: boolean;
}

const quote = (text: string): string => `'${text.replace(/'/g, "'\\''")}'`;

/** Bash completion: commands, each command's options, prompt names from the library, else files. */
export function bashCompletion(commands: readonly CompletionCommand[]): string {
  const cases = commands
    .map((command) => `    ${command.name}) opts=${quote(command.options.flatMap((option) => [option.long, ...(option.short ? [option.short] : [])]).join(' '))}; what=${command.promptArgument ? 'prompts' : command.runArgument ? 'runs' : ''} ;;`)
    .join('\n');
  return `# par completion for bash: eval "$(par completion bash)" in ~/.bashrc
_par() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd=\${COMP_WORDS[1]} opts='' what=''
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${quote(commands.map((command) => command.name).join(' '))} -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [ -n "$what" ] && [ "$COMP_CWORD" -eq 2 ]; then
    COMPREPLY=($(compgen -W "$(par __complete "$what" 2>/dev/null)" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _par par
`;
}

/** Zsh completion: the bash function through zsh's bashcompinit. */
export function zshCompletion(commands: readonly CompletionCommand[]): string {
  return `# par completion for zsh: eval "$(par completion zsh)" in ~/.zshrc
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(commands).split('\n').slice(1).join('\n')}`;
}

/** Fish completion: commands, options with their descriptions, prompt names. */
export function fishCompletion(commands: readonly CompletionCommand[]): string {
  const lines = ['# par completion for fish: par completion fish > ~/.config/fish/completions/par.fish', 'complete -c par -f'];
  for (const command of commands) lines.push(`complete -c par -n __fish_use_subcommand -a ${quote(command.name)}`);
  for (const command of commands) {
    const when = `-n ${quote(`__fish_seen_subcommand_from ${command.name}`)}`;
    for (const option of command.options) {
      const short = option.short ? ` -s ${option.short.replace(/^-/, '')}` : '';
      lines.push(`complete -c par ${when} -l ${option.long.replace(/^--/, '')}${short}${option.takesValue ? ' -r' : ''} -d ${quote(option.description)}`);
    }
    if (command.promptArgument) lines.push(`complete -c par ${when} -a '(par __complete prompts 2>/dev/null)'`);
    if (command.runArgument) lines.push(`complete -c par ${when} -a '(par __complete runs 2>/dev/null)'`);
  }
  return `${lines.join('\n')}\n`;
}
