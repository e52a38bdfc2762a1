import { appendFileSync, statSync } from 'node:fs';
import type { Via } from '../core/events.js';
import { runFiles } from './files.js';
import { LineFollower } from './follow.js';

/** A command from a client to a run's supervisor. */
export type RunCommand =
  | { type: 'cancel'; job: string | null; reason: string }
  | { type: 'rerun'; job: string }
  | { type: 'approve'; job: string; plan?: string }
  | { type: 'reject'; job: string }
  /** A message for a job (DESIGN §14); `id` names the command in the journal's answer to it. */
  | { type: 'send'; id: string; job: string; text: string; via: Via }
  | { type: 'interrupt'; id: string; job: string; via: Via }
  /** A person's answer to the request `request_id` of a job. */
  | { type: 'answer'; id: string; job: string; request_id: string; decision: 'allow' | 'deny' | 'answer'; message?: string | null; answers?: string[]; always?: boolean; via: Via };

const COMMAND_TYPES = new Set(['cancel', 'rerun', 'approve', 'reject', 'send', 'interrupt', 'answer']);

/** Sends a command: one short line appended to the run's `commands.ndjson` (appends of a line are atomic). */
export function sendCommand(runDir: string, command: RunCommand): void {
  appendFileSync(runFiles.commands(runDir), `${JSON.stringify(command)}\n`);
}

/** How far the channel has been written: a supervisor taking a run over reads only what comes after. */
export function commandsWritten(runDir: string): number {
  return statSync(runFiles.commands(runDir), { throwIfNoEntry: false })?.size ?? 0;
}

/**
 * The supervisor's side: calls `onCommand` for each command as it arrives,
 * from byte `from` on — a supervisor that takes a run over must not replay
 * the cancel that ended the one before it.
 */
export function receiveCommands(runDir: string, onCommand: (command: RunCommand) => void, from = 0): LineFollower {
  // The channel exists from the start, so it is watched (an answer lands at once), not only polled.
  appendFileSync(runFiles.commands(runDir), '');
  const follower = new LineFollower(runFiles.commands(runDir), (line) => {
    try {
      const command = JSON.parse(line) as RunCommand;
      if (COMMAND_TYPES.has(command.type)) onCommand(command);
    } catch {
      // A torn or foreign line is not a command.
    }
  }, { from });
  // Commands are rare and a cancel should feel instant: a tenth of a second.
  follower.start(100);
  return follower;
}
