import type { AgentResult } from '../agents/agent.js';
import type { JobOutcome } from '../core/events.js';

/** Why par stopped a job: a timeout or a cancel, with its reason. */
export type StopReason = { state: 'timed-out' | 'cancelled'; reason: string };

/** An outcome with nothing from the agent: it never ran, or ran no further than this. */
export function emptyOutcome(state: JobOutcome['state'], reason: string | null, error: string | null): JobOutcome {
  return { state, reason, exit_code: null, signal: null, error, result: null, denials: [], session_id: null, cost_usd: null, turns: null, tokens: null, diffstat: null };
}

/**
 * The outcome of one attempt, pure: what the agent's output says, unless par
 * stopped it first — a job par stopped ends timed-out or cancelled, whatever
 * its agent said on the way out, but one that had already succeeded keeps
 * its success. The session is the agent's, else the one par gave it.
 */
export function attemptOutcome(result: AgentResult, stop: StopReason | null, sessionId: string | null): JobOutcome {
  const stopped = stop !== null && result.state !== 'succeeded';
  const state: JobOutcome['state'] = stopped ? stop.state : result.state;
  const reason = stopped ? stop.reason : null;
  return {
    state,
    reason,
    exit_code: result.exit_code,
    signal: result.signal,
    error: state === 'timed-out' ? `stopped after ${reason === 'idle' ? 'no output for the idle timeout' : 'the timeout'}` : result.error,
    result: result.result,
    denials: result.denials,
    session_id: result.session_id ?? sessionId,
    cost_usd: result.cost_usd,
    turns: result.turns,
    tokens: result.tokens,
    diffstat: null,
  };
}
