/** Exit codes of DESIGN §2. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  interrupted: 130,
} as const;

/**
 * An error the user caused and can fix: bad usage, input or configuration.
 * Its message is one sentence naming the bad value and the fix; the CLI
 * prints it as is and exits with `exitCode` (2 unless stated).
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = ExitCode.usage) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** What went wrong, as one line of text, whatever was thrown. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True for errors whose message is meant for the user as is. */
export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
