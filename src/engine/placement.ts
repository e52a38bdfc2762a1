// Where each job runs (DESIGN §18): round-robin over the run's executors that
// have a free slot, in the order named, each up to its own cap.

interface Waiter {
  pinned: string | undefined;
  resolve: (name: string) => void;
}

/** Free slots per executor; a job holds one of its executor's while its agent runs. */
export class ExecutorSlots {
  readonly #order: string[];
  readonly #free: Map<string, number>;
  #next = 0;
  readonly #waiting: Waiter[] = [];

  constructor(places: readonly { name: string; jobs: number }[]) {
    this.#order = places.map((place) => place.name);
    this.#free = new Map(places.map((place) => [place.name, Math.max(1, place.jobs)]));
  }

  /** A slot on `pinned` (a job that ran there before: its worktree and session are there), else on the next executor with one free. */
  async acquire(pinned?: string): Promise<string> {
    const name = this.#pick(pinned);
    if (name !== undefined) return name;
    return new Promise((resolve) => this.#waiting.push({ pinned, resolve }));
  }

  release(name: string): void {
    this.#free.set(name, (this.#free.get(name) ?? 0) + 1);
    for (let index = 0; index < this.#waiting.length; index++) {
      const waiter = this.#waiting[index] as Waiter;
      const got = this.#pick(waiter.pinned);
      if (got === undefined) continue;
      this.#waiting.splice(index, 1);
      waiter.resolve(got);
      return;
    }
  }

  /** Takes a free slot: on `pinned` when it is one of the run's, else the next in turn. */
  #pick(pinned: string | undefined): string | undefined {
    if (pinned !== undefined && this.#free.has(pinned)) return this.#take(pinned);
    for (let step = 0; step < this.#order.length; step++) {
      const at = (this.#next + step) % this.#order.length;
      const name = this.#order[at] as string;
      if ((this.#free.get(name) ?? 0) > 0) {
        this.#next = (at + 1) % this.#order.length;
        return this.#take(name);
      }
    }
    return undefined;
  }

  #take(name: string): string | undefined {
    const free = this.#free.get(name) ?? 0;
    if (free <= 0) return undefined;
    this.#free.set(name, free - 1);
    return name;
  }
}
