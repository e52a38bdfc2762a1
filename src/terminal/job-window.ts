import { FINAL_STATES } from '../core/events.js';
import type { JobView } from '../core/run-state.js';
import type { WindowRequest } from './launchers.js';

/** How to start par itself in a new window: `par` may not be on PATH there, so its own node and script. */
export interface ParCommand {
  node: string;
  script: string;
  /** The XDG variables par found its runs through, so the new window's par finds them too. */
  env: Record<string, string>;
}

const pick = (env: Readonly<Record<string, string | undefined>>, names: readonly string[]): Record<string, string> => Object.fromEntries(names.flatMap((name) => (env[name] ? [[name, env[name] as string]] : [])));

/** The variables of `env` that say where par's files are. */
export function parLocation(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return pick(env, ['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME']);
}

/** The variables that say where claude keeps its sessions: a resumed session is found where the job's agent left it. */
export function claudeLocation(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return pick(env, ['HOME', 'CLAUDE_CONFIG_DIR']);
}

/** A window following a job's live transcript. */
export function followWindow(par: ParCommand, runId: string, job: { id: string; worktree: string }, waitAfterCommand: boolean): WindowRequest {
  return { dir: job.worktree, title: `par ${job.id}`, argv: [par.node, par.script, 'results', runId, job.id, '--follow'], waitAfterCommand, env: par.env };
}

/**
 * What `o` and `par open` show for a job (DESIGN §7): while it runs, its
 * live transcript; when done, its claude session continued interactively;
 * for another agent, a shell in its worktree. A string says why there is
 * nothing to open.
 */
export function jobWindow(options: { runId: string; job: JobView; claudeBinary: string | null; shell: string; par: ParCommand; waitAfterCommand: boolean; agentEnv?: Record<string, string> }): WindowRequest | string {
  const { job } = options;
  if (!job.worktree) return `Job ${job.id} has no worktree yet: it is still being created.`;
  if (!FINAL_STATES.has(job.state)) return followWindow(options.par, options.runId, { id: job.id, worktree: job.worktree }, options.waitAfterCommand);
  if (options.claudeBinary && job.session_id) {
    // An interactive session: the window stays as long as the conversation does, and after it when asked (a session that cannot resume says why).
    return { dir: job.worktree, title: `claude ${job.id}`, argv: [options.claudeBinary, '--resume', job.session_id], waitAfterCommand: options.waitAfterCommand, ...(options.agentEnv && Object.keys(options.agentEnv).length > 0 ? { env: options.agentEnv } : {}) };
  }
  return { dir: job.worktree, title: `par ${job.id}`, argv: [options.shell], waitAfterCommand: false };
}
