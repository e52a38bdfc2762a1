import type { ChannelEvent, ChannelWire } from '../agents/channel.js';
import type { DecidedBy, NewRunEvent, Pending, Via } from '../core/events.js';
import type { AgentInput } from '../os/process-group.js';
import { ruleForCall } from '../permissions/policy.js';
import type { ToolCall } from '../permissions/rules.js';
import type { StopReason } from './attempt-outcome.js';

/** What decided a request before any person was asked: allow or deny with who and why, or ask. */
export type Judgement = { verdict: 'allow' | 'deny'; by: DecidedBy; rule: string | null } | { verdict: 'ask' };

/** A person's answer to what a job waits for, naming the request it answers. */
export interface PersonAnswer {
  requestId: string;
  /** `allow`/`deny` a permission request; `answer` a question with option labels. */
  decision: 'allow' | 'deny' | 'answer';
  message?: string | null;
  answers?: string[];
  /** Allow this kind of call for the rest of the run. */
  always?: boolean;
  via: Via;
  command?: string;
}

/** What a conversation needs from its attempt and its run. */
export interface ConversationHost {
  job: string;
  wire: ChannelWire;
  input: AgentInput;
  emit(event: NewRunEvent): void;
  /** Rules, preset and classifier on a call, in the job's worktree. */
  judge(call: ToolCall, plan: boolean): Promise<Judgement>;
  /** `approve --always`: the rule allowed for the rest of the run. */
  allowAlways(rule: string): void;
  onAsk: 'wait' | 'deny';
  /** With no answer for this long, the request is decided by `timeout`; 0 waits forever. */
  inputTimeoutMs: number;
  plan: boolean;
  /** While a person is awaited the job's clocks (timeout, idle) stand still. */
  hold(on: boolean): void;
  /** Ends the job without a signal: the agent's stdin is closed and the job ends as `why`. */
  end(why: StopReason): void;
}

interface Waiting {
  requestId: string;
  kind: Pending['kind'];
  tool: string | null;
  input: Record<string, unknown>;
  suggestions: string[];
  timer?: NodeJS.Timeout;
}

/** What a question is answered with when nobody answers. */
export const NO_ANSWER = 'no answer — decide yourself';

/** A call's input on one line for the journal: the command, the path, else its JSON, cut. */
export function inputSummary(input: Record<string, unknown>): string {
  const named = [input.command, input.file_path, input.notebook_path, input.url, input.pattern, input.query].find((value) => typeof value === 'string');
  const text = typeof named === 'string' ? named : JSON.stringify(input);
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}

/** A question's answer for the agent: `updatedInput.answers`, question text → chosen label(s). */
function answersFor(input: Record<string, unknown>, chosen: string[]): Record<string, string> {
  const questions = Array.isArray(input.questions) ? (input.questions as { question?: unknown }[]) : [];
  const answers: Record<string, string> = {};
  questions.forEach((question, index) => {
    if (typeof question.question !== 'string') return;
    answers[question.question] = questions.length === 1 ? chosen.join(', ') : (chosen[index] ?? NO_ANSWER);
  });
  return answers;
}

/** A request's input as stored in `pending`: long texts cut so the journal stays small. */
function storedInput(input: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(input);
  if (text.length <= 8000) return input;
  return Object.fromEntries(Object.entries(input).map(([key, value]) => [key, typeof value === 'string' && value.length > 2000 ? `${value.slice(0, 1999)}…` : value]));
}

/**
 * One attempt's conversation over the two-way channel (DESIGN §14): the
 * prompt as the first user message; each permission request decided by the
 * policy or put to a person, one at a time; messages delivered at turn
 * boundaries (at once when the job waits for instructions); interrupts; and
 * stdin closed once a turn ends that par did not cause by an interrupt and
 * nothing is queued — which ends the agent.
 */
export class Conversation {
  readonly #host: ConversationHost;
  readonly #waiting: Waiting[] = [];
  readonly #queue: string[] = [];
  /** What became of each request: for a late or second answer. */
  readonly #history = new Map<string, string>();
  #inTurn = false;
  /** Who stopped the turn now ending (null when none is being stopped). */
  #interrupting: { via: Via; command: string | undefined } | null = null;
  #closed = false;
  #held = false;
  #interrupts = 0;
  #instructions: Waiting | null = null;
  /** ExitPlanMode came while planning: the turn's end is the process's. */
  #planHandedOver = false;
  /** The plan handed over through ExitPlanMode while planning (the CLI may send it empty: the tool call then holds it). */
  plan: string | null = null;
  /** The tool calls par decided (their `tool_use_id`s): the agent's other denials are its own. */
  readonly decided = new Set<string>();
  /** A usage limit the agent reported (`rejected`), epoch seconds. */
  limit: { resetsAt: number | null; type: string | null } | null = null;

  constructor(host: ConversationHost) {
    this.#host = host;
  }

  /** Sends the first message (the prompt) and any held for this attempt. */
  start(prompt: string, held: readonly string[] = []): void {
    this.#write(prompt);
    this.#queue.push(...held);
  }

  /** What the job waits for now, if anything. */
  get pending(): Waiting | null {
    return this.#instructions ?? this.#waiting[0] ?? null;
  }

  /** The stdin is closed: the agent is finishing its last turn. */
  get closed(): boolean {
    return this.#closed;
  }

  onEvent(event: ChannelEvent): void {
    if (this.#closed && event.kind === 'request') {
      this.#host.input.write(this.#host.wire.deny(event.requestId, 'the job is ending'));
      return;
    }
    if (event.kind === 'request') this.#onRequest(event);
    else if (event.kind === 'result') this.#onResult();
    else if (event.kind === 'usage' && event.status === 'rejected') this.limit = { resetsAt: event.resetsAt, type: event.limitType };
  }

  /** A message for the agent: at once when it waits for instructions, else at the end of its turn. */
  send(text: string, via: Via, command?: string): string | null {
    if (this.#closed) return 'the job has finished its last turn and is ending; send again once it has ended, to continue its session';
    const instructions = this.#instructions;
    if (instructions) {
      this.#settle(instructions);
      this.#instructions = null;
      this.#history.set(instructions.requestId, `instructions given (${via})`);
      this.#host.emit({ type: 'job/answered', job: this.#host.job, request_id: instructions.requestId, kind: 'instructions', answer: text, by: 'person', via, ...(command ? { command } : {}) });
      this.#host.emit({ type: 'job/message', job: this.#host.job, text, queued: false, via, ...(command ? { command } : {}) });
      this.#write(text);
      this.#updateHold();
      return null;
    }
    this.#queue.push(text);
    this.#host.emit({ type: 'job/message', job: this.#host.job, text, queued: this.#inTurn, via, ...(command ? { command } : {}) });
    if (!this.#inTurn) this.#write(this.#queue.shift() as string);
    return null;
  }

  /** Stops the current turn; the session then waits for instructions. */
  interrupt(via: Via, command?: string): string | null {
    if (this.#closed) return 'the job is ending: there is no turn to stop';
    if (this.#instructions) return 'the job is already waiting for instructions';
    if (!this.#inTurn) return 'the job is between turns: there is nothing to stop';
    // What the stopped turn asked is moot: refused, so the agent is not left waiting on it.
    for (const waiting of this.#waiting.splice(0)) {
      this.#settle(waiting);
      this.#refuseInterrupted(waiting, via, command);
    }
    this.#interrupting = { via, command };
    this.#host.input.write(this.#host.wire.interrupt(`par-interrupt-${++this.#interrupts}`));
    this.#host.emit({ type: 'job/interrupted', job: this.#host.job, via, ...(command ? { command } : {}) });
    this.#updateHold();
    return null;
  }

  /** A person's answer; a sentence saying why it was not taken otherwise (another answer came first, or it does not fit). */
  answer(answer: PersonAnswer): string | null {
    const head = this.pending;
    if (!head || head.requestId !== answer.requestId) {
      const before = this.#history.get(answer.requestId);
      return before ? `request ${answer.requestId} was already answered: ${before}` : `request ${answer.requestId} is not pending for job ${this.#host.job}`;
    }
    if (head.kind === 'instructions') {
      if (answer.decision === 'deny') return 'the job waits for instructions: send it a message (par send), or cancel it';
      return this.send(answer.message ?? answer.answers?.join(', ') ?? '', answer.via, answer.command);
    }
    if (head.kind === 'question') {
      if (answer.decision === 'allow') return 'this is a question: answer it with one of its options (par answer)';
      if (answer.decision === 'deny') {
        this.#finishHead(() => this.#host.wire.deny(head.requestId, answer.message ?? 'the user declined to answer'));
        this.#recordAnswer(head, `declined${answer.message ? `: ${answer.message}` : ''}`, 'person', answer.via, answer.command);
        return null;
      }
      const chosen = answer.answers ?? [];
      this.#finishHead(() => this.#host.wire.allow(head.requestId, { ...head.input, answers: answersFor(head.input, chosen) }));
      this.#recordAnswer(head, chosen.join(', '), 'person', answer.via, answer.command);
      return null;
    }
    if (answer.decision === 'answer') return 'this is a permission request: allow or deny it (par approve, par deny)';
    let rule: string | null = null;
    if (answer.decision === 'allow' && answer.always) {
      rule = head.suggestions[0] ?? ruleForCall({ tool: head.tool ?? '', input: head.input });
      this.#host.allowAlways(rule);
    }
    const message = answer.decision === 'deny' ? (answer.message ?? 'denied by the user') : null;
    this.#finishHead(() => (answer.decision === 'allow' ? this.#host.wire.allow(head.requestId, head.input) : this.#host.wire.deny(head.requestId, message as string)));
    this.#record(head, answer.decision, 'person', rule, message, answer.via, answer.command);
    return null;
  }

  /** The agent has exited: nothing more is asked of anyone. */
  close(): void {
    for (const waiting of [...this.#waiting, ...(this.#instructions ? [this.#instructions] : [])]) this.#settle(waiting);
    this.#waiting.length = 0;
    this.#instructions = null;
    this.#closed = true;
    this.#updateHold();
  }

  #write(text: string): void {
    this.#inTurn = true;
    this.#host.input.write(this.#host.wire.userMessage(text));
  }

  #closeInput(): void {
    this.#closed = true;
    this.#host.input.end();
  }

  #onRequest(event: Extract<ChannelEvent, { kind: 'request' }>): void {
    const host = this.#host;
    if (event.subtype !== 'can_use_tool') {
      host.input.write(host.wire.error(event.requestId, `par does not serve "${event.subtype}" requests`));
      return;
    }
    const waiting: Waiting = { requestId: event.requestId, kind: event.tool === 'AskUserQuestion' ? 'question' : 'permission', tool: event.tool, input: event.input, suggestions: event.suggestions };
    if (event.toolUseId) this.decided.add(event.toolUseId);
    if (this.#interrupting) {
      this.#refuseInterrupted(waiting, this.#interrupting.via, this.#interrupting.command);
      return;
    }
    if (waiting.kind === 'question') {
      if (host.onAsk === 'deny') {
        host.input.write(host.wire.allow(event.requestId, { ...event.input, answers: answersFor(event.input, [NO_ANSWER]) }));
        this.#recordAnswer(waiting, NO_ANSWER, 'rule', undefined, undefined);
      } else this.#toPerson(waiting);
      return;
    }
    if (event.tool === 'ExitPlanMode' && host.plan) {
      // The plan is handed over here: recorded for review, and the planning process ends after this turn.
      this.plan = typeof event.input.plan === 'string' ? event.input.plan : null;
      this.#planHandedOver = true;
      host.input.write(host.wire.deny(event.requestId, 'plan recorded for review'));
      this.#record(waiting, 'deny', 'rule', 'plan recorded for review', 'plan recorded for review');
      return;
    }
    // A judge that fails (it should not) leaves the request to a person rather than unanswered.
    const judging = host.judge({ tool: event.tool, input: event.input }, host.plan).catch((): Judgement => ({ verdict: 'ask' }));
    void judging.then((judged) => {
      if (this.#closed && !this.#inTurn) return;
      // The turn was stopped while the request was judged: it is moot, like those a person had.
      if (this.#interrupting) {
        this.#refuseInterrupted(waiting, this.#interrupting.via, this.#interrupting.command);
        return;
      }
      if (judged.verdict === 'ask' && host.onAsk === 'deny') judged = { verdict: 'deny', by: 'rule', rule: '--on-ask deny' };
      if (judged.verdict === 'ask') {
        this.#toPerson(waiting);
        return;
      }
      const message = judged.verdict === 'deny' ? `denied by par's permission policy (${judged.rule ?? judged.by})` : null;
      host.input.write(judged.verdict === 'allow' ? host.wire.allow(event.requestId, event.input) : host.wire.deny(event.requestId, message as string));
      this.#record(waiting, judged.verdict, judged.by, judged.rule, message);
    });
  }

  #onResult(): void {
    this.#inTurn = false;
    if (this.#interrupting) {
      this.#interrupting = null;
      const next = this.#queue.shift();
      if (next !== undefined) this.#write(next);
      else this.#waitForInstructions();
      return;
    }
    if (this.#planHandedOver || this.limit !== null) {
      this.#closeInput();
      return;
    }
    const next = this.#queue.shift();
    if (next !== undefined) this.#write(next);
    else this.#closeInput();
  }

  #refuseInterrupted(waiting: Waiting, via: Via, command: string | undefined): void {
    this.#host.input.write(this.#host.wire.deny(waiting.requestId, 'interrupted by the user'));
    this.#record(waiting, 'deny', 'person', null, 'interrupted by the user', via, command);
  }

  #waitForInstructions(): void {
    const waiting: Waiting = { requestId: `par-instructions-${this.#interrupts}`, kind: 'instructions', tool: null, input: {}, suggestions: [] };
    this.#instructions = waiting;
    this.#announce(waiting);
  }

  #toPerson(waiting: Waiting): void {
    this.#waiting.push(waiting);
    if (this.pending === waiting) this.#announce(waiting);
  }

  /** Tells the journal (and so every view) that the job waits on a person, and starts the wait's clock. */
  #announce(waiting: Waiting): void {
    const host = this.#host;
    host.emit({ type: 'job/needs-input', job: host.job, pending: { request_id: waiting.requestId, kind: waiting.kind, tool: waiting.tool, input: storedInput(waiting.input) } });
    if (host.inputTimeoutMs > 0) waiting.timer = setTimeout(() => this.#timedOut(waiting), host.inputTimeoutMs);
    this.#updateHold();
  }

  #timedOut(waiting: Waiting): void {
    if (this.pending !== waiting) return;
    if (waiting.kind === 'instructions') {
      this.#settle(waiting);
      this.#instructions = null;
      this.#history.set(waiting.requestId, 'no instructions came in time');
      this.#host.emit({ type: 'job/answered', job: this.#host.job, request_id: waiting.requestId, kind: 'instructions', answer: '(none: the job ends)', by: 'timeout' });
      this.#closeInput();
      this.#host.end({ state: 'cancelled', reason: 'no instructions' });
      return;
    }
    if (waiting.kind === 'question') {
      this.#finishHead(() => this.#host.wire.allow(waiting.requestId, { ...waiting.input, answers: answersFor(waiting.input, [NO_ANSWER]) }));
      this.#recordAnswer(waiting, NO_ANSWER, 'timeout', undefined, undefined);
      return;
    }
    const message = 'nobody answered in time (defaults.input_timeout)';
    this.#finishHead(() => this.#host.wire.deny(waiting.requestId, message));
    this.#record(waiting, 'deny', 'timeout', null, message);
  }

  /** Answers the request at the head of the line, and puts the next one to the person. */
  #finishHead(response: () => string): void {
    const head = this.#waiting.shift();
    if (!head) return;
    this.#settle(head);
    this.#host.input.write(response());
    const next = this.#waiting[0];
    if (next) this.#announce(next);
    else this.#updateHold();
  }

  #settle(waiting: Waiting): void {
    if (waiting.timer) clearTimeout(waiting.timer);
    waiting.timer = undefined;
  }

  #updateHold(): void {
    const hold = !this.#closed && this.pending !== null;
    if (hold === this.#held) return;
    this.#held = hold;
    this.#host.hold(hold);
  }

  #record(waiting: Waiting, decision: 'allow' | 'deny', by: DecidedBy, rule: string | null, message: string | null, via?: Via, command?: string): void {
    const who = by === 'person' ? `a person (${via ?? 'cli'})` : by === 'rule' || by === 'preset' ? `${by} ${rule ?? ''}`.trim() : by;
    this.#history.set(waiting.requestId, `${decision === 'allow' ? 'allowed' : 'denied'} by ${who}`);
    this.#host.emit({
      type: 'job/permission',
      job: this.#host.job,
      request_id: waiting.requestId,
      tool: waiting.tool ?? '',
      input: inputSummary(waiting.input),
      decision,
      by,
      rule,
      message,
      ...(via ? { via } : {}),
      ...(command ? { command } : {}),
    });
  }

  #recordAnswer(waiting: Waiting, answer: string, by: DecidedBy, via: Via | undefined, command: string | undefined): void {
    this.#history.set(waiting.requestId, `answered "${answer}" by ${by === 'person' ? `a person (${via ?? 'cli'})` : by}`);
    this.#host.emit({ type: 'job/answered', job: this.#host.job, request_id: waiting.requestId, kind: 'question', answer, by, ...(via ? { via } : {}), ...(command ? { command } : {}) });
  }
}
