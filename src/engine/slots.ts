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

/** One job's hold on a place: taken when it is not held, released once. */
export class Place {
  readonly #slots: Slots;
  #held = false;

  constructor(slots: Slots) {
    this.#slots = slots;
  }

  async take(): Promise<void> {
    if (this.#held) return;
    await this.#slots.acquire();
    this.#held = true;
  }

  release(): void {
    if (this.#held) this.#slots.release();
    this.#held = false;
  }
}
