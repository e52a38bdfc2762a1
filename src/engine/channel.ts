import { appendFileSync } from 'node:fs';
import { LineFollower } from './journal.js';
import { runFiles } from './run-plan.js';

/** A command from a client to a run's supervisor. */
export type RunCommand =
  | { type: 'cancel'; job: string | null; reason: string }
  | { type: 'rerun'; job: string }
  | { type: 'approve'; job: string; plan?: string }
  | { type: 'reject'; job: string };

/** Sends a command: one short line appended to the run's `commands.ndjson` (appends of a line are atomic). */
export function sendCommand(runDir: string, command: RunCommand): void {
  appendFileSync(runFiles.commands(runDir), `${JSON.stringify(command)}\n`);
}

/** The supervisor's side: calls `onCommand` for each command as it arrives. */
export function receiveCommands(runDir: string, onCommand: (command: RunCommand) => void): LineFollower {
  const follower = new LineFollower(runFiles.commands(runDir), (line) => {
    try {
      const command = JSON.parse(line) as RunCommand;
      if (['cancel', 'rerun', 'approve', 'reject'].includes(command.type)) onCommand(command);
    } catch {
      // A torn or foreign line is not a command.
    }
  });
  // Commands are rare and a cancel should feel instant: a tenth of a second.
  follower.start(100);
  return follower;
}
