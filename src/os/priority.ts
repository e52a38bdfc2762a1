import { readFile, writeFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a job's group keeps asking Linux for its lower weight: the kernel takes one such change per 100 ms from anyone not an admin. */
const AUTOGROUP_TRIES = 40;

/** Whether `pid` leads its session (its session id is its own: field 6 of its stat); false where /proc cannot say. */
async function leadsSession(pid: number): Promise<boolean> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    return Number(fields[3]) === pid;
  } catch {
    return false;
  }
}

/**
 * Lowers the CPU priority of a process of a run (`defaults.nice`), so ten
 * busy agents leave the person's terminal — par's TUI among it — the CPU
 * it needs. Two levers, since schedulers weigh differently: the process's
 * own nice value, which its children inherit (macOS, and Linux without
 * autogroups), and on Linux the weight of its session's scheduling group
 * (`/proc/<pid>/autogroup`), which is what counts there between sessions
 * and covers every process of the session whenever it started — changed
 * only for a process that leads its own session. Resolves once set or
 * given up; never throws: a priority is a courtesy, not a reason to fail a
 * job.
 */
export async function lowerPriority(pid: number, nice: number): Promise<void> {
  if (nice <= 0) return;
  try {
    setPriority(pid, nice);
  } catch {
    // Gone already, or not ours to change.
  }
  // The group is the whole session's: changed only for a process that leads its own, never the person's terminal.
  if (!(await leadsSession(pid))) return;
  for (let tryNumber = 0; tryNumber < AUTOGROUP_TRIES; tryNumber++) {
    try {
      await writeFile(`/proc/${pid}/autogroup`, String(nice));
      return;
    } catch (error) {
      // EAGAIN: another change took the kernel's 100 ms; anything else (no such file, the job gone) ends it.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      await sleep(100 + Math.random() * 100);
    }
  }
}
