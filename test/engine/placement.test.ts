import { describe, expect, it } from 'vitest';
import { ExecutorSlots } from '../../src/engine/placement.js';
import { Place, Slots } from '../../src/engine/slots.js';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('placing jobs on executors', () => {
  it('goes round-robin over those with a free slot, in the order named, each up to its cap', async () => {
    const slots = new ExecutorSlots([{ name: 'local', jobs: 1 }, { name: 'box', jobs: 2 }, { name: 'pod', jobs: 1 }]);
    const got = [await slots.acquire(), await slots.acquire(), await slots.acquire(), await slots.acquire()];
    expect(got).toEqual(['local', 'box', 'pod', 'box']);
    // Full: the next waits for a slot, and gets the one freed.
    let fifth: string | undefined;
    void slots.acquire().then((name) => (fifth = name));
    await tick();
    expect(fifth).toBeUndefined();
    slots.release('pod');
    await tick();
    expect(fifth).toBe('pod');
  });

  it('keeps a job where it ran before, waiting for a slot there rather than taking one elsewhere', async () => {
    const slots = new ExecutorSlots([{ name: 'local', jobs: 1 }, { name: 'box', jobs: 1 }]);
    expect(await slots.acquire('box')).toBe('box');
    let pinned: string | undefined;
    void slots.acquire('box').then((name) => (pinned = name));
    let other: string | undefined;
    void slots.acquire().then((name) => (other = name));
    await tick();
    expect([pinned, other]).toEqual([undefined, 'local']);
    slots.release('box');
    await tick();
    expect(pinned).toBe('box');
    // An executor the run no longer has is no pin: any free one does.
    slots.release('local');
    expect(await slots.acquire('gone')).toBe('local');
  });

  it("a job's place holds a slot of the run and one of its executor, and keeps its executor across takes", async () => {
    const total = new Slots(1);
    const executors = new ExecutorSlots([{ name: 'local', jobs: 1 }, { name: 'box', jobs: 1 }]);
    const first = new Place(total, executors);
    await first.take();
    expect(first.executor).toBe('local');
    first.release();
    await first.take();
    expect(first.executor).toBe('local');
    first.release();
    const second = new Place(total, executors, 'box');
    await second.take();
    expect(second.executor).toBe('box');
    second.release();
  });
});
