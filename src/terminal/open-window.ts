import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { findExecutable } from '../os/which.js';
import { chooseLauncher, type Launch, type TerminalEnvironment, type WindowRequest } from './launchers.js';
import type { ParConfig } from '../config/settings.js';

/** The settings that choose the terminal (`terminal.command`, `terminal.use_ghostty`). */
export type TerminalChoice = Pick<ParConfig['terminal'], 'command' | 'use_ghostty'>;

/** What this machine offers for opening windows. */
export function terminalEnvironment(config: TerminalChoice, env: NodeJS.ProcessEnv): TerminalEnvironment {
  const apps = ['/Applications/Ghostty.app', join(env.HOME ?? homedir(), 'Applications', 'Ghostty.app')];
  return {
    platform: process.platform,
    command: config.command,
    useGhostty: config.use_ghostty,
    ghosttyPath: findExecutable('ghostty', env, process.cwd()),
    ghosttyApp: process.platform === 'darwin' && apps.some((app) => existsSync(app)),
    insideTmux: Boolean(env.TMUX),
  };
}

/** The launch for `request` here, or a UserError naming what was tried and how to configure one. */
export function launchFor(request: WindowRequest, config: TerminalChoice, env: NodeJS.ProcessEnv): Launch {
  const chosen = chooseLauncher(request, terminalEnvironment(config, env));
  if ('argv' in chosen) return chosen;
  throw new UserError(
    `No terminal to open a window in: tried ${chosen.tried.join(', ')}. Install Ghostty, run par inside tmux, or set your terminal's command line: par config set terminal.command '["kitty", "--directory", "{dir}", "{cmd}"]'.`,
  );
}

/**
 * Opens the window: the terminal starts detached, with no stdio of ours, so
 * it outlives par. Resolves once it started (tmux: once the window exists);
 * rejects with one sentence when it cannot.
 */
export function openWindow(launch: Launch, request: WindowRequest, env: NodeJS.ProcessEnv): Promise<void> {
  if (!existsSync(request.dir)) return Promise.reject(new UserError(`The worktree ${request.dir} is gone, so there is nothing to open there.`));
  const [program = '', ...args] = launch.argv;
  // The window's command may be claude, which refuses to start inside another claude.
  const windowEnv = { ...env };
  delete windowEnv.CLAUDECODE;
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { detached: launch.terminal !== 'tmux', stdio: 'ignore', env: windowEnv, cwd: request.dir });
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(new UserError(error.code === 'ENOENT' ? `The terminal '${program}' was not found; check terminal.command (par config get terminal).` : `The terminal '${program}' could not be started (${error.message}).`));
    });
    if (launch.terminal === 'tmux') {
      // tmux new-window returns at once; its exit code says whether the window opened.
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new UserError(`tmux could not open a window (exit ${code ?? '?'}).`))));
      return;
    }
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
