// A supervisor's spawn thread (see createProcessSpawner): it starts jobs'
// processes and git, holds the jobs' stdin, and reports their exits and
// git's answers. Node's spawn blocks its thread until the child has exec'd,
// and with dozens of agents busy on every core that takes tens of
// milliseconds (the child waits for a turn on a CPU): on the supervisor's
// own thread, every start would stall every other job's reads and answers.
import { parentPort } from 'node:worker_threads';
import { createStarter } from './starter.js';
import type { FromSpawnThread, ToSpawnThread } from './threads.js';

const port = parentPort;
const handle = createStarter((message: FromSpawnThread) => port?.postMessage(message));
port?.on('message', (message: ToSpawnThread) => handle(message));
