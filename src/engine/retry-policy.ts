/** Retry backoff (DESIGN §2): 2 s doubling… */
export const RETRY_BASE_MS = 2000;
/** …to 60 s at most, with full jitter. */
export const RETRY_CAP_MS = 60_000;

/** What is known of an attempt when deciding whether to try again. */
export interface RetryQuestion {
  /** The attempt that just ended, and the first of this execution. */
  attempt: number;
  first: number;
  /** `--retries`: retries allowed in one execution. */
  retries: number;
  failed: boolean;
  /** The agent's own output says the cause is worth a retry (an overloaded API, a dropped connection). */
  retryable: boolean;
  /** par stopped the job (cancel, timeout): never retried. */
  stopped: boolean;
  /** `retry-after` from the agent's API, in milliseconds. */
  retryAfterMs: number | null;
  /** A random number in [0, 1) for the jitter. */
  random: number;
}

/**
 * The retry policy (DESIGN §2), pure: how long to wait before the next
 * attempt, or null for none. Only a failure the agent calls retryable is
 * retried, at most `retries` times; the wait is full jitter over 2 s
 * doubling to 60 s, and never shorter than the API's `retry-after`.
 */
export function retryDelay(question: RetryQuestion): number | null {
  if (!question.failed || !question.retryable || question.stopped) return null;
  if (question.attempt - question.first >= question.retries) return null;
  const cap = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (question.attempt - 1));
  return Math.max(question.retryAfterMs ?? 0, Math.round(question.random * cap));
}
