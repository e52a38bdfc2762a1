// What a spawn thread does with each request (see threads.ts): start a job's
// process, hold its stdin, report its exit; run git. The same code serves a
// worker thread and, for a supervisor's first job, the supervisor's own.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { GitFailure, type Git } from '../git/git.js';
import type { FromSpawnThread, ToSpawnThread } from './threads.js';

type Post = (message: FromSpawnThread) => void;
type SpawnRequest = Extract<ToSpawnThread, { type: 'spawn' }>;

function start(message: SpawnRequest, post: Post, inputs: Map<number, Writable>): void {
  const { id } = message;
  let ended = false;
  // Descriptor 3's end here, once the job has started.
  const held: { lifeline?: { destroy(): void } | null } = {};
  const end = (exit: { code: number | null; signal: string | null; spawnError?: string }): void => {
    if (ended) return;
    ended = true;
    inputs.delete(id);
    // The agent is gone and its group is the supervisor's to end: the watchdog's line goes too.
    held.lifeline?.destroy();
    post({ type: 'exit', id, ...exit });
  };
  let child;
  try {
    // Descriptor 3 is the watchdog's line to this supervisor: held here until the job's end.
    child = spawn('/bin/sh', ['-c', message.watchdog, 'par-job', ...message.argv], { cwd: message.cwd, env: message.env, detached: true, stdio: [message.stdin === null ? 'ignore' : 'pipe', message.stdout, message.stderr, 'pipe'] });
  } catch (error) {
    post({ type: 'spawned', id, pid: null });
    end({ code: null, signal: null, spawnError: (error as Error).message });
    return;
  }
  held.lifeline = child.stdio[3] as { destroy(): void } | null;
  child.once('error', (error) => end({ code: null, signal: null, spawnError: error.message }));
  child.once('exit', (code, signal) => end({ code, signal }));
  if (child.stdin) {
    // An agent may exit without reading its prompt; that is its result to report, not a crash here.
    child.stdin.on('error', () => undefined);
    if (typeof message.stdin === 'string') child.stdin.end(message.stdin);
    else inputs.set(id, child.stdin);
  }
  post({ type: 'spawned', id, pid: child.pid ?? null });
}

/** A handler for a spawn thread's requests, answering through `post`. */
export function createStarter(post: Post): (message: ToSpawnThread) => void {
  // simple-git loads once a job has started (its result needs git), while the agent starts up: not before.
  let git: Promise<Git> | undefined;
  const loadGit = (): Promise<Git> => (git ??= import('../git/real-git.js').then(({ createGit }) => createGit()));
  const inputs = new Map<number, Writable>();
  return (message) => {
    if (message.type === 'spawn') {
      start(message, post, inputs);
      loadGit().catch(() => undefined);
    } else if (message.type === 'git') {
      loadGit().then((real) => real.run(message.cwd, message.args)).then(
        (stdout) => post({ type: 'git', id: message.id, stdout }),
        (error: unknown) => {
          const failure = error instanceof GitFailure ? error : new GitFailure(String((error as Error).message ?? error), message.cwd, message.args);
          post({ type: 'git', id: message.id, failure: { message: failure.message, exitCode: failure.exitCode, stderr: failure.stderr } });
        },
      );
    } else {
      const pipe = inputs.get(message.id);
      if (!pipe || pipe.writableEnded || pipe.destroyed) return;
      if (message.type === 'write') pipe.write(message.text);
      else pipe.end();
    }
  };
}
