// A supervisor's spawn thread (see createProcessSpawner): it starts jobs'
// processes and git, holds the jobs' stdin, and reports their exits and
// git's answers. Node's spawn blocks its thread until the child has exec'd,
// and with dozens of agents busy on every core that takes tens of
// milliseconds (the child waits for a turn on a CPU): on the supervisor's
// own thread, every start would stall every other job's reads and answers.
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { createGit, GitFailure } from '../git/git.js';
import type { FromSpawnThread, ToSpawnThread } from './threads.js';

const port = parentPort;
const git = createGit();
const inputs = new Map<number, Writable>();
const post = (message: FromSpawnThread): void => port?.postMessage(message);

function start(message: Extract<ToSpawnThread, { type: 'spawn' }>): void {
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

port?.on('message', (message: ToSpawnThread) => {
  if (message.type === 'spawn') start(message);
  else if (message.type === 'git') {
    git.run(message.cwd, message.args).then(
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
});
