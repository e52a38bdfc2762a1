/**
 * Terminal-window launchers (DESIGN §7): pure argv builders, one per
 * terminal, and the rule that picks one. Nothing here runs anything.
 */

/** What to open: a command in a directory, under a title. */
export interface WindowRequest {
  dir: string;
  title: string;
  /** The command and its arguments, each one argument: never joined into a shell string. */
  argv: readonly string[];
  /** Keep the window open after the command exits (`terminal.wait_after_command`). */
  waitAfterCommand: boolean;
  /** Variables the command needs that a terminal server may not pass on (tmux starts commands with its own environment). */
  env?: Record<string, string>;
}

/** The terminal chosen and the argv that opens the window. */
export interface Launch {
  terminal: 'ghostty' | 'ghostty-macos' | 'tmux' | 'command';
  argv: string[];
}

/** Ghostty on Linux: `ghostty --working-directory=DIR --title=TITLE [--wait-after-command=true] -e CMD…`. */
export function ghosttyLinux(request: WindowRequest, binary = 'ghostty'): string[] {
  return [binary, `--working-directory=${request.dir}`, `--title=${request.title}`, ...(request.waitAfterCommand ? ['--wait-after-command=true'] : []), '-e', ...request.argv];
}

/** Ghostty on macOS: a new instance of the app, which quits when its window closes. */
export function ghosttyMacos(request: WindowRequest): string[] {
  return [
    'open',
    '-na',
    'Ghostty.app',
    '--args',
    `--working-directory=${request.dir}`,
    `--title=${request.title}`,
    ...(request.waitAfterCommand ? ['--wait-after-command=true'] : []),
    '--quit-after-last-window-closed=true',
    '-e',
    ...request.argv,
  ];
}

/**
 * A new window of the tmux session par runs in. tmux closes a window when its
 * command exits: with `wait_after_command` the window gets `remain-on-exit`,
 * set in the same tmux call (the `;` argument chains it), so even a command
 * that ends at once leaves its window and its last words on screen.
 */
export function tmuxWindow(request: WindowRequest): string[] {
  const env = Object.entries(request.env ?? {}).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  // An argument ending in `;` would end tmux's command early: such a command gets no chained option.
  const remain = request.waitAfterCommand && !request.argv.some((arg) => arg.endsWith(';')) ? [';', 'set-option', '-w', 'remain-on-exit', 'on'] : [];
  return ['tmux', 'new-window', '-n', request.title, '-c', request.dir, ...env, '--', ...request.argv, ...remain];
}

/** `terminal.command`: `{dir}` and `{title}` replaced inside any argument, `{cmd}` (its own argument) expanded to the command's arguments. */
export function customCommand(template: readonly string[], request: WindowRequest): string[] {
  return template.flatMap((part) => (part === '{cmd}' ? [...request.argv] : [part.replaceAll('{dir}', request.dir).replaceAll('{title}', request.title)]));
}

/** What the choice needs to know of the machine. */
export interface TerminalEnvironment {
  platform: NodeJS.Platform;
  /** `terminal.command`, or null. */
  command: readonly string[] | null;
  useGhostty: boolean;
  /** The ghostty executable on PATH, if any (Linux). */
  ghosttyPath: string | undefined;
  /** Whether Ghostty.app is installed (macOS). */
  ghosttyApp: boolean;
  /** `$TMUX` is set: par runs inside tmux. */
  insideTmux: boolean;
}

/**
 * The launcher for `request` (DESIGN §7): `terminal.command` when set; else
 * Ghostty when `terminal.use_ghostty` and it is installed; else tmux when
 * par runs inside it. Null when none applies; `tried` then says what was looked for.
 */
export function chooseLauncher(request: WindowRequest, env: TerminalEnvironment): Launch | { tried: string[] } {
  if (env.command) return { terminal: 'command', argv: customCommand(env.command, request) };
  const tried: string[] = [];
  if (env.useGhostty) {
    if (env.platform === 'darwin') {
      if (env.ghosttyApp) return { terminal: 'ghostty-macos', argv: ghosttyMacos(request) };
      tried.push('Ghostty.app (not in /Applications)');
    } else {
      if (env.ghosttyPath) return { terminal: 'ghostty', argv: ghosttyLinux(request, env.ghosttyPath) };
      tried.push('ghostty (not on PATH)');
    }
  } else {
    tried.push('Ghostty (terminal.use_ghostty is false)');
  }
  if (env.insideTmux) return { terminal: 'tmux', argv: tmuxWindow(request) };
  tried.push('tmux (par is not running inside tmux)');
  return { tried };
}
