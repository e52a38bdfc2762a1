// The port of executors that are not this machine (DESIGN §18): where a job's
// agent runs, how its worktree gets there and how its work comes back.
import type { ProcessSpawner } from '../os/process-group.js';

/** One job's place on another machine or in a container, made for an attempt. */
export interface RemoteJob {
  /** Where the agent runs there. */
  cwd: string;
  /** The agent's program there, for the local one's argv[0]. */
  agentBinary(local: string): string;
  /** Starts the agent there; the argv is the agent's, run in `cwd`. */
  spawner: ProcessSpawner;
  /** Commits what the agent left there (with the local identity) and fast-forwards the local worktree to it. */
  bringBack(message: string): Promise<void>;
  /** When the attempt ended for the connection (or a missing agent, a worktree not made) rather than the agent's work: why, whether another try may do better, and whether the end of stderr tells more; else null. */
  lost(exitCode: number | null): { why: string; retryable: boolean; output: boolean } | null;
}

/** An executor other than `local`: one per entry a run's `--on` names. */
export interface JobHost {
  readonly name: string;
  /** The job's worktree made there from the local worktree's HEAD (on the same branch). */
  prepare(job: { runId: string; id: string; worktree: string }): Promise<RemoteJob>;
  /** Gets ready ahead of the first job (connects); failures are left to `prepare`. */
  warm(): void;
  /** Ends the connection (or whatever the host holds) once the run is over. */
  close(): Promise<void>;
}
