import { FINAL_STATES, type RunEvent } from '../core/events.js';
import { matchKey, TEXT_SCOPES, type Command, type KeyPress } from '../core/keymap.js';
import { LogBuffer } from '../core/log-buffer.js';
import { journalLine } from '../core/transcript.js';
import { runNotices } from '../core/run-notices.js';
import { emptyRunState, type RunState } from '../core/run-state.js';
import { errorText as message } from '../core/errors.js';
import { PLAIN_COMMANDS } from '../core/ui-commands.js';
import { activeScope, selectedJob, visiblePrompts, type UiState } from '../core/ui-state.js';
import type { OutputSubscription, RunSubscription, TuiPorts } from './ports.js';
import { landRun, mergeSelected, openCompare, openDiff, openSelected, pickAttempt, rerunSelected, reviewPlan } from './job-actions.js';
import type { UiStore } from './store.js';
import { answerSelected, chooseOption, interruptSelected, startMessage, submitInput, type TalkContext } from './talk-actions.js';

/** How the TUI ended: whether runs were left going, and the run on screen. */
export interface TuiExit {
  how: 'quit' | 'kept' | 'cancelled';
  run: RunState | null;
}


/**
 * What keys do: turns a press into a command of the keymap and carries it
 * out — actions to the store, effects through the ports. Holds the
 * subscriptions (the run followed, the log tailed); React holds none.
 */
export class Controller {
  readonly #store: UiStore;
  readonly #ports: TuiPorts;
  readonly #exit: (outcome: TuiExit) => void;
  #run: RunSubscription | undefined;
  #output: OutputSubscription | undefined;
  #log: LogBuffer | undefined;
  #logJob: string | null = null;
  /** What was decided on each request of the run on screen (job and request id), as the log shows it. */
  readonly #decisions = new Map<string, string>();
  /** What the status line said of each job waiting on a person, by job. */
  readonly #asking = new Map<string, string>();
  /** Events before this time were history when the run was attached: no notification for them. */
  #attachedAt = '';
  #unsubscribe: () => void = () => undefined;

  readonly #actions: TalkContext;

  constructor(options: { store: UiStore; ports: TuiPorts; exit: (outcome: TuiExit) => void }) {
    this.#store = options.store;
    this.#ports = options.ports;
    this.#exit = options.exit;
    this.#actions = { store: this.#store, ports: this.#ports, say: (text, tone) => this.#say(text, tone), attach: (runId, dir) => this.attach(runId, dir), sent: new Set() };
  }

  /** The log pane's buffer, if a job's log is open. */
  get log(): LogBuffer | undefined {
    return this.#log;
  }

  #state(): UiState {
    return this.#store.getState();
  }

  /** Loads what the first frame shows: the prompts. Resolves when they are in. */
  start(): Promise<void> {
    return this.reloadPrompts();
  }

  /**
   * Once the first frame is on screen: the worktrees (git's busy work, which
   * the first frame does not wait on) — at once for the picker, or, on a
   * run's grid, only when they are shown.
   */
  drawn(): void {
    if (this.#run === undefined) {
      void this.#reloadWorktrees();
      return;
    }
    const unsubscribe = this.#store.subscribe(() => {
      if (this.#state().pane !== 'worktrees') return;
      unsubscribe();
      void this.#reloadWorktrees();
    });
    this.#unsubscribe = unsubscribe;
  }

  async reloadPrompts(select?: string): Promise<void> {
    try {
      const items = await this.#ports.loadPrompts();
      this.#store.dispatch({ type: 'prompts/loaded', items });
      const at = select === undefined ? -1 : items.findIndex((item) => item.name === select);
      if (at >= 0) this.#store.dispatch({ type: 'select/move', delta: at - this.#state().prompts.cursor });
    } catch (error) {
      this.#store.dispatch({ type: 'prompts/loaded', items: [], error: message(error) });
    }
  }

  async #reloadWorktrees(): Promise<void> {
    try {
      const { items, warnings } = await this.#ports.loadWorktrees();
      this.#store.dispatch({ type: 'worktrees/loaded', items, warnings });
    } catch (error) {
      this.#store.dispatch({ type: 'worktrees/loaded', items: [], error: message(error) });
    }
  }

  async #reloadRuns(): Promise<void> {
    try {
      this.#store.dispatch({ type: 'runs/loaded', items: await this.#ports.loadRuns() });
    } catch (error) {
      this.#store.dispatch({ type: 'runs/loaded', items: [], error: message(error) });
    }
  }

  /** Shows a run's live grid. */
  attach(runId: string, dir: string): void {
    this.#run?.stop();
    this.#closeLog();
    this.#attachedAt = new Date(this.#ports.now()).toISOString();
    this.#decisions.clear();
    this.#store.dispatch({ type: 'run/attached', run: emptyRunState(runId), dir });
    this.#run = this.#ports.watchRun(dir, runId, (state, event) => this.#onRunState(state, event));
  }

  #onRunState(state: RunState, event: RunEvent | null): void {
    const before = this.#state().run;
    // Output progress is coalesced; lifecycle changes show at once.
    this.#store.dispatch({ type: 'run/state', run: state }, { lazy: event?.type === 'job/progress' });
    if (event) this.#logJournal(event);
    // A command of ours the supervisor refused (answered already, by someone else): said at once.
    if (event?.type === 'command/refused' && this.#actions.sent.delete(event.command)) this.#say(`${event.reason.charAt(0).toUpperCase()}${event.reason.slice(1)}.`, 'error');
    // Nothing is told of history: the state a run had when it was attached, or events from before.
    if (!before || before.order.length === 0 || (event && event.at < this.#attachedAt)) return;
    for (const notice of runNotices(before, state)) {
      this.#ports.notify(notice.title, notice.body);
      if (notice.say) this.#say(notice.say);
      if (notice.say && notice.asks) this.#asking.set(notice.asks, notice.say);
    }
    this.#forgetAnswered(state);
  }

  /** A request answered elsewhere (the web page, the CLI, a rule): its keys leave the status line once the job has moved on. */
  #forgetAnswered(state: RunState): void {
    for (const [job, said] of this.#asking) {
      const now = state.byId[job]?.state;
      if (now === 'needs-input' || now === 'awaiting-approval') continue;
      this.#asking.delete(job);
      if (this.#state().message?.text === said) this.#store.dispatch({ type: 'message/clear' });
    }
  }

  /**
   * Decisions (and queued messages) join a job's transcript after the
   * request they answer: kept as they come, shown when a log is opened
   * later, added at once to the log open now.
   */
  #logJournal(event: RunEvent): void {
    const line = journalLine(event);
    if (line === null || !('job' in event)) return;
    const requestId = 'request_id' in event ? event.request_id : null;
    if (requestId) this.#decisions.set(`${event.job}\u0000${requestId}`, line);
    const log = this.#log;
    if (!log || event.job !== this.#logJob || this.#state().log.raw) return;
    const added = requestId ? log.decision(requestId, line) : log.note(line);
    if (added > 0) this.#store.dispatch({ type: 'log/appended', count: log.count, added });
  }

  /** Handles one key press (several when a chunk holds many: each is its own press). */
  press(input: string, key: KeyPress): void {
    // A message is read by the next key press: it gives its line back to the totals.
    this.#store.dispatch({ type: 'message/clear' });
    const scope = activeScope(this.#state());
    const command = matchKey(scope, input, key);
    if (command) {
      this.#perform(command, input);
      return;
    }
    if (TEXT_SCOPES.has(scope)) {
      if (input === '' || key.ctrl || key.meta) return;
      // Text and the Enter typed after it can arrive as one chunk ("fix it\r"): the Enter still submits.
      const typed = input.replace(/[\r\n]+$/, '');
      if (typed !== '') this.#store.dispatch({ type: 'filter/type', text: typed });
      if (typed !== input) this.press('', { return: true });
      return;
    }
    // A flood of held keys can arrive as one chunk ("jjjj"): each character is a press.
    if (input.length > 1 && !key.ctrl && !key.meta && !input.includes('\x1b')) {
      for (const char of Array.from(input)) this.press(char === '\r' ? '' : char, char === '\r' ? { return: true } : {});
    }
  }

  #say(text: string, tone: 'info' | 'error' = 'info'): void {
    this.#store.dispatch({ type: 'message', text, tone });
  }

  #perform(command: Command, input = ''): void {
    const plain = PLAIN_COMMANDS[command];
    if (plain) return this.#store.dispatch(plain(this.#state()));
    switch (command) {
      case 'pane.next':
        this.#store.dispatch({ type: 'pane/next' });
        if (this.#state().pane === 'runs') void this.#reloadRuns();
        return;
      case 'pane.back':
        if (this.#state().pane === 'log' && !this.#state().overlay) this.#closeLog();
        return this.#store.dispatch({ type: 'pane/back' });
      case 'app.quit':
      case 'quit.keep':
      case 'quit.cancel':
        return this.#quitCommand(command);
      case 'prompts.pick':
        return this.#pickPrompt();
      case 'prompts.add':
        return void this.#addPrompt();
      case 'count.done':
      case 'worktrees.confirm':
        return this.#launchCommand(command);
      case 'confirm.start':
        return void this.#startRun();
      case 'grid.log':
        return this.#openLog();
      case 'log.raw':
        this.#store.dispatch({ type: 'log/raw' });
        return this.#followLog(true);
      case 'grid.cancel':
      case 'cancel.yes':
        return this.#cancelCommand(command);
      case 'runs.attach': {
        const state = this.#state();
        const item = state.runs.items?.[state.runs.cursor];
        if (item) this.attach(item.run, this.#ports.runDir(item.run));
        return;
      }
      case 'runs.refresh':
        return void this.#reloadRuns();
      case 'talk.option':
        return chooseOption(this.#actions, input);
      default:
        return this.#jobCommand(command);
    }
  }

  /** q asks when jobs run; keep leaves them going, cancel stops the run first. */
  #quitCommand(command: 'app.quit' | 'quit.keep' | 'quit.cancel'): void {
    const state = this.#state();
    if (command === 'quit.keep') return this.#quit('kept');
    if (command === 'quit.cancel') {
      if (state.runDir) this.#ports.cancel(state.runDir, null);
      return this.#quit('cancelled');
    }
    if (state.run?.state === 'running') return this.#store.dispatch({ type: 'overlay/open', overlay: { kind: 'quit' } });
    this.#quit('quit');
  }

  /** The steps before a run starts: how many new worktrees, and whether there is what a run needs. */
  #launchCommand(command: 'count.done' | 'worktrees.confirm'): void {
    const state = this.#state();
    if (command === 'count.done') {
      const text = state.overlay?.kind === 'new-count' ? state.overlay.text : '';
      const count = Number(text);
      if (!(count >= 1 && count <= 100)) return this.#say(`Type how many new worktrees, 1 to 100${text ? `, not ${text}` : ''}.`, 'error');
      return this.#store.dispatch({ type: 'worktrees/new', count });
    }
    if (!state.prompts.picked) return this.#say('Pick a prompt first (tab to Prompts, enter).', 'error');
    if (state.worktrees.selected.length === 0 && state.worktrees.newCount === 0) {
      return this.#say('Select worktrees with space (a for all), or press n for new ones.', 'error');
    }
    this.#store.dispatch({ type: 'overlay/open', overlay: { kind: 'confirm' } });
  }

  /** x asks before cancelling the selected job; y does it. */
  #cancelCommand(command: 'grid.cancel' | 'cancel.yes'): void {
    const state = this.#state();
    if (command === 'cancel.yes') {
      if (state.overlay?.kind === 'cancel-job' && state.runDir) {
        this.#ports.cancel(state.runDir, state.overlay.job);
        this.#say(`Cancelling ${state.overlay.job}…`);
      }
      return this.#store.dispatch({ type: 'overlay/close' });
    }
    const job = selectedJob(this.#state());
    if (!job) return;
    if (FINAL_STATES.has(job.state)) return this.#say(`${job.id} has already ended (${job.state}).`);
    this.#store.dispatch({ type: 'overlay/open', overlay: { kind: 'cancel-job', job: job.id } });
  }

  /** What acts on the selected job through the job actions: diff, merge, open, rerun, plan review. */
  #jobCommand(command: Command): void {
    const actions = this.#actions;
    const run: Partial<Record<Command, () => Promise<void>>> = {
      'grid.diff': () => openDiff(actions),
      'grid.compare': () => openCompare(actions),
      'compare.next': () => pickAttempt(actions, 'next'),
      'compare.previous': () => pickAttempt(actions, 'previous'),
      'compare.swap': () => pickAttempt(actions, 'swap'),
      'grid.merge': () => mergeSelected(actions),
      'grid.land': () => landRun(actions),
      'grid.open': () => openSelected(actions),
      'grid.rerun': () => rerunSelected(actions),
      'plan.approve': () => reviewPlan(actions, 'approve'),
      'plan.edit': () => reviewPlan(actions, 'edit'),
      'plan.reject': () => reviewPlan(actions, 'reject'),
      'talk.yes': () => answerSelected(actions, 'yes'),
      'talk.no': () => answerSelected(actions, 'no'),
      'talk.always': () => answerSelected(actions, 'always'),
      'talk.send': async () => startMessage(actions, false),
      'talk.sendAll': async () => startMessage(actions, true),
      'talk.interrupt': async () => interruptSelected(actions),
      'input.submit': () => submitInput(actions, this.#inputText()),
      'input.editor': () => this.#editInput(),
    };
    void run[command]?.();
  }

  #inputText(): string {
    const overlay = this.#state().overlay;
    return overlay?.kind === 'input' ? overlay.text : '';
  }

  /** Ctrl+E in the input line: a longer message in $EDITOR, sent when saved. */
  async #editInput(): Promise<void> {
    try {
      const text = await this.#ports.editText(this.#inputText());
      if (text === null) return this.#say('Nothing was sent: the text was left as it was.');
      await submitInput(this.#actions, text);
    } catch (error) {
      this.#say(message(error), 'error');
    }
  }

  #quit(how: TuiExit['how']): void {
    this.stop();
    this.#exit({ how, run: this.#state().run });
  }

  /** Ends every subscription. */
  stop(): void {
    this.#run?.stop();
    this.#run = undefined;
    this.#unsubscribe();
    this.#closeLog();
  }

  #pickPrompt(): void {
    const state = this.#state();
    const items = visiblePrompts(state);
    const item = items[state.prompts.cursor];
    if (!item) {
      this.#say(state.prompts.items?.length ? 'No prompt matches the filter; esc clears it.' : 'The library is empty: press a to add a prompt.', 'error');
      return;
    }
    this.#store.dispatch({ type: 'prompts/pick', name: item.name });
  }

  async #addPrompt(): Promise<void> {
    try {
      const name = await this.#ports.addPrompt();
      if (name === null) return this.#say('Nothing was saved.');
      await this.reloadPrompts(name);
      this.#say(`Added prompt ${name}.`);
    } catch (error) {
      this.#say(message(error), 'error');
    }
  }

  async #startRun(): Promise<void> {
    const state = this.#state();
    if (state.starting) return;
    this.#store.dispatch({ type: 'run/starting', starting: true });
    try {
      const { runId, dir } = await this.#ports.startRun({ prompt: state.prompts.picked, worktrees: [...state.worktrees.selected], newCount: state.worktrees.newCount });
      this.attach(runId, dir);
    } catch (error) {
      this.#store.dispatch({ type: 'overlay/close' });
      this.#say(message(error), 'error');
    } finally {
      this.#store.dispatch({ type: 'run/starting', starting: false });
    }
  }

  #openLog(): void {
    const job = selectedJob(this.#state());
    if (!job) return;
    this.#store.dispatch({ type: 'pane/open', pane: 'log' });
    this.#followLog(false);
  }

  /** Tails the selected job's output into a fresh buffer (a new one when raw mode flips). */
  #followLog(restart: boolean): void {
    const state = this.#state();
    const job = selectedJob(this.#state());
    if (!job || !state.runDir) return;
    if (!restart && this.#logJob === job.id && this.#log) {
      this.#store.dispatch({ type: 'log/appended', count: this.#log.count, added: 0 });
      return;
    }
    this.#closeLog();
    const buffer = new LogBuffer({ raw: state.log.raw, cwd: job.worktree ?? '', decided: (requestId) => this.#decisions.get(`${job.id}\u0000${requestId}`) ?? null });
    this.#log = buffer;
    this.#logJob = job.id;
    this.#output = this.#ports.followOutput(state.runDir, job.id, (lines) => {
      if (this.#log !== buffer) return;
      const added = buffer.push(lines);
      this.#store.dispatch({ type: 'log/appended', count: buffer.count, added }, { lazy: true });
    });
  }

  #closeLog(): void {
    this.#output?.stop();
    this.#output = undefined;
    this.#log = undefined;
    this.#logJob = null;
  }
}
