import type { ExecutorSlots } from './placement.js';

/** Counts free places for running agents: a job holds one only while its agent runs. */
export class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(count: number) {
    this.#free = count;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/**
 * One job's hold on a place: taken when it is not held, released once. With
 * executors (`--on`), a slot on one of them too: the first chosen in turn,
 * then always the same one (the job's worktree and session are there).
 */
export class Place {
  readonly #slots: Slots;
  readonly #executors: ExecutorSlots | undefined;
  #held = false;
  /** Where the job runs: chosen at its first take, or pinned by an earlier execution. */
  executor: string | undefined;

  constructor(slots: Slots, executors?: ExecutorSlots, pinned?: string) {
    this.#slots = slots;
    this.#executors = executors;
    this.executor = pinned;
  }

  async take(): Promise<void> {
    if (this.#held) return;
    await this.#slots.acquire();
    if (this.#executors) this.executor = await this.#executors.acquire(this.executor);
    this.#held = true;
  }

  release(): void {
    if (this.#held) {
      this.#slots.release();
      if (this.#executors && this.executor !== undefined) this.#executors.release(this.executor);
    }
    this.#held = false;
  }
}
