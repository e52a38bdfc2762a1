import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** A tmux server of its own (own socket) running one window of a given size. */
export interface TmuxSession {
  /** Types `keys` (tmux key names such as Enter, or literal text with literal: true). */
  send(keys: string[], options?: { literal?: boolean }): void;
  /** The screen as text, with what scrolled off it above. */
  capture(): string;
  /** Polls the screen until `predicate` holds; throws with the screen after `timeoutMs`. */
  waitFor(predicate: (screen: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Waits for the program to end, then the whole transcript it left, scrolled off or not. */
  waitForEnd(timeoutMs?: number): Promise<string>;
  /** `name path` of every window of the session, one a line. */
  windows(): string;
  kill(): void;
}

/** Starts `command` (argv, run through tmux's shell-free exec) in a fresh tmux server. */
export function startTmux(options: { command: string; env: Record<string, string>; cwd: string; width?: number; height?: number }): TmuxSession {
  const socket = `par-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: { ...options.env, TERM: 'xterm-256color' } });
  const envArgs = Object.entries(options.env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  tmux(['new-session', '-d', '-s', 'main', '-x', String(options.width ?? 200), '-y', String(options.height ?? 50), '-c', options.cwd, ...envArgs, options.command]);
  tmux(['set-option', '-g', 'remain-on-exit', 'on']);
  // The visible screen only: scrollback would let a wait match a stale line.
  const capture = (): string => tmux(['capture-pane', '-p', '-t', 'main']);
  return {
    send: (keys, sendOptions) => {
      tmux(['send-keys', '-t', 'main', ...(sendOptions?.literal ? ['-l'] : []), ...keys]);
    },
    capture,
    waitFor: async (predicate, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      let screen = capture();
      while (!predicate(screen)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting; the screen shows:\n${screen}`);
        await sleep(50);
        screen = capture();
      }
      return screen;
    },
    waitForEnd: async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (tmux(['display-message', '-p', '-t', 'main', '#{pane_dead}']).trim() !== '1') {
        if (Date.now() > deadline) throw new Error(`timed out waiting for the program to end; the screen shows:\n${capture()}`);
        await sleep(50);
      }
      return tmux(['capture-pane', '-p', '-S', '-', '-t', 'main']);
    },
    windows: () => tmux(['list-windows', '-t', 'main', '-F', '#{window_name} #{pane_current_path}']),
    kill: () => {
      try {
        tmux(['kill-server']);
      } catch {
        // Already gone.
      }
    },
  };
}
