import { transcriptLines } from './transcript.js';

/** Lines a log pane keeps: far more than a screen, little memory (a few MB at the line cap). */
export const LOG_LINES = 5000;
/** Longer lines are cut here: nobody reads past it on a terminal, and a 1 MB line must not cost a frame. */
export const LOG_LINE_CHARS = 1000;

// CSI, OSC and other escape sequences, then any C0/C1 control character left but tab.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ESCAPES = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex -- as above
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** One line made safe to draw: what a carriage return would leave, no escape sequences, tabs as spaces, capped. */
export function cleanLine(line: string): string {
  const afterReturn = line.includes('\r') ? (line.replace(/\r+$/, '').split('\r').pop() ?? '') : line;
  const clean = afterReturn.replace(ESCAPES, '').replace(CONTROLS, '').replace(/\t/g, '  ');
  return clean.length > LOG_LINE_CHARS ? `${clean.slice(0, LOG_LINE_CHARS - 1)}…` : clean;
}

/**
 * The bounded tail of a job's output as the log pane shows it: either the
 * readable transcript or the raw lines. Old lines fall off the top.
 */
export class LogBuffer {
  readonly #raw: boolean;
  readonly #cwd: string;
  readonly #capacity: number;
  readonly #decided: ((requestId: string) => string | null) | undefined;
  /** Requests shown with no decision yet: the decision joins the log when it comes (`decision`). */
  readonly #undecided = new Set<string>();
  #lines: string[] = [];

  /** `decided`: what was decided on a request already (from the journal), shown right after it. */
  constructor(options: { raw: boolean; cwd: string; capacity?: number; decided?: (requestId: string) => string | null }) {
    this.#raw = options.raw;
    this.#cwd = options.cwd;
    this.#capacity = options.capacity ?? LOG_LINES;
    this.#decided = options.decided;
  }

  /** The decision on a request shown undecided: added now; false when the request is not waiting in this log. */
  decision(requestId: string, line: string): number {
    if (!this.#undecided.delete(requestId)) return 0;
    this.#lines.push(cleanLine(line));
    return 1;
  }

  /** A line that is not the agent's (a queued message): added as it is. */
  note(line: string): number {
    this.#lines.push(cleanLine(line));
    return 1;
  }

  /** Adds output lines; returns how many display lines they made. */
  push(outputLines: readonly string[]): number {
    let added = 0;
    for (const line of outputLines) {
      if (this.#raw) {
        this.#lines.push(cleanLine(line));
        added++;
        continue;
      }
      for (const text of transcriptLines(line, this.#cwd)) {
        for (const part of text.split('\n')) {
          this.#lines.push(cleanLine(part));
          added++;
        }
      }
      added += this.#afterRequest(line);
    }
    // Trimmed in batches, so a flood costs one splice per quarter of the capacity.
    if (this.#lines.length > this.#capacity * 1.25) this.#lines = this.#lines.slice(-this.#capacity);
    return added;
  }

  /** After a permission request or question of the agent's: what was decided on it, when known already. */
  #afterRequest(line: string): number {
    if (!line.startsWith('{"type":"control_request"')) return 0;
    const requestId = /"request_id":"([^"]+)"/.exec(line)?.[1];
    if (!requestId || !line.includes('"can_use_tool"')) return 0;
    const decided = this.#decided?.(requestId) ?? null;
    if (decided === null) {
      this.#undecided.add(requestId);
      return 0;
    }
    this.#lines.push(cleanLine(decided));
    return 1;
  }

  /** How many lines it holds (at most the capacity, once trimmed). */
  get count(): number {
    return Math.min(this.#lines.length, this.#capacity);
  }

  /** `height` lines ending `scroll` lines above the tail. */
  window(height: number, scroll: number): string[] {
    const lines = this.#lines.length > this.#capacity ? this.#lines.slice(-this.#capacity) : this.#lines;
    const end = Math.max(0, lines.length - scroll);
    return lines.slice(Math.max(0, end - height), end);
  }
}
