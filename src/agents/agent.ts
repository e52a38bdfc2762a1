import { relative } from 'node:path';
import type { JobOutcome, JobProgress } from '../core/events.js';
import type { ChannelWire } from './channel.js';

/** How to start one attempt of an agent: never through a shell. */
export interface AgentInvocation {
  argv: string[];
  /** Variables to set in the child's environment (over the supervisor's own). */
  env: Record<string, string>;
  /** Variables to remove from the child's environment. */
  unsetEnv: string[];
  /** Written to stdin, which is then closed; null: stdin is not used. With `channel`, the first user message. */
  stdin: string | null;
  /** The agent speaks the two-way channel: stdin stays open, held by the supervisor (DESIGN §14). */
  channel?: boolean;
  /** The session par picked (claude), known from the first second. */
  sessionId: string | null;
}

/** What an attempt is asked to do. */
export interface AttemptRequest {
  prompt: string;
  cwd: string;
  /** A fresh session id for this attempt. */
  sessionId: string;
  /** Continue this session instead (`--resume`, alone). */
  resumeSessionId?: string;
  model?: string | null;
  permissionMode?: string | null;
  maxBudgetUsd?: number | null;
  /** Plan only (`--plan`): read and explore, change nothing, write a plan. */
  plan?: boolean;
  /** The permission policy's deny rules, handed to the agent too: it asks only about what it does not judge safe itself. */
  denyRules?: readonly string[];
}

/** How the agent's process ended. */
export interface AgentExit {
  exitCode: number | null;
  signal: string | null;
  /** par stopped it (cancel, timeout): a missing result is then no failure of the agent. */
  stoppedByPar: boolean;
  stderrTail: string;
}

/** Reads one attempt's output, a line at a time. */
export interface OutputParser {
  /** Takes a line (without its newline); returns progress when something a user sees changed. */
  line(text: string): JobProgress | undefined;
  /** A cheap look at a line's bytes: true when `line` would learn nothing from it, so it is never decoded. */
  skip?(line: Buffer): boolean;
  /** A cheaper look still, at many whole lines at once: true when none of them could matter now. */
  skipRegion?(lines: Buffer): boolean;
  /** The outcome; `state` is succeeded or failed (par decides timed-out and cancelled). */
  finish(exit: AgentExit): AgentResult;
}

/** What the agent's output says of the attempt. */
export type AgentResult = Omit<JobOutcome, 'reason' | 'diffstat'> & {
  retryable: boolean;
  /** How long the agent's API asked to wait before a retry (`retry-after`), when it said. */
  retryAfterMs?: number | null;
  /** What a planning attempt proposes: ExitPlanMode's plan, else the result text. */
  plan?: string | null;
  /** The calls the agent reports denied (`permission_denials`), each once: par journals those it did not deny itself as the CLI's. */
  deniedCalls?: { tool: string; toolUseId: string; input: Record<string, unknown> }[];
  /** The agent hit a usage limit (DESIGN §14): when it resets (epoch seconds, when said) and which window. */
  limit?: { resetsAt: number | null; type: string | null } | null;
};

/** One kind of agent: builds argv and reads output. */
export interface AgentAdapter {
  name: string;
  binary: string;
  invocation(request: AttemptRequest): AgentInvocation;
  parser(cwd: string): OutputParser;
  /** The agent's side of the two-way channel, when it speaks one. */
  wire?: ChannelWire;
}

/** A `retry-after: N` (seconds) in an agent's error text or stderr, in milliseconds; null when there is none. */
export function retryAfterIn(text: string): number | null {
  const match = /retry[- ]after[:\s]+(\d+)/i.exec(text);
  return match ? Number(match[1]) * 1000 : null;
}

/** A path as the grid shows it: relative to the worktree when inside it, else as given. */
export function shownPath(cwd: string, path: string): string {
  const inside = relative(cwd, path);
  return inside && !inside.startsWith('..') ? inside : path;
}

/** The last `max` characters of text, from a line start where possible. */
export function tailText(text: string, max = 2000): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  const cut = trimmed.slice(-max);
  const newline = cut.indexOf('\n');
  return newline === -1 ? cut : cut.slice(newline + 1);
}

/**
 * Whether an agent's error text names a retryable cause (DESIGN §3): a 429
 * or 5xx status, an overloaded or exhausted API, a dropped connection.
 */
export function isRetryableText(text: string): boolean {
  // A status with its reason (`503 Service Unavailable`) or named as one (`status: 429`); a bare number is no status.
  if (/\b(?:429|5\d\d)\b(?=\s+[A-Z(]|\))/.test(text) || /status:?\s*(?:429|5\d\d)\b|"code":\s*(?:429|5\d\d)\b/i.test(text)) return true;
  return /too many requests|overloaded|rate.?limit|resource.?(?:has been )?exhausted|quota|service unavailable|ECONNRESET|ECONNREFUSED|ETIMEDOUT|socket hang up|connection error|fetch failed|stream disconnected/i.test(text);
}
