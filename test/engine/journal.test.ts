import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalWriter, readEvents } from '../../src/rundir/journal.js';
import { LineFollower } from '../../src/rundir/follow.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'par-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the journal', () => {
  it('numbers and times events, one line each', () => {
    const file = join(dir, 'events.ndjson');
    const writer = new JournalWriter(file, { now: () => new Date('2026-11-22T10:00:00.000Z') });
    writer.append({ type: 'run/cancel-requested', job: null, reason: 'user' });
    writer.append({ type: 'run/finished', state: 'cancelled' });
    writer.close();
    expect(readEvents(file)).toEqual([
      { seq: 1, at: '2026-11-22T10:00:00.000Z', type: 'run/cancel-requested', job: null, reason: 'user' },
      { seq: 2, at: '2026-11-22T10:00:00.000Z', type: 'run/finished', state: 'cancelled' },
    ]);
  });

  it('ignores a torn last line left by a crash, and a garbage line', () => {
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, '{"seq":1,"at":"x","type":"run/finished","state":"failed"}\nnot json\n{"seq":2,"at":"x","ty');
    expect(readEvents(file).map((event) => event.seq)).toEqual([1]);
  });

  it('follows lines as they are appended, carrying a partial line until its newline', () => {
    const file = join(dir, 'log');
    writeFileSync(file, '');
    const lines: string[] = [];
    const follower = new LineFollower(file, (line) => lines.push(line));
    appendFileSync(file, 'one\ntw');
    follower.poll();
    expect(lines).toEqual(['one']);
    appendFileSync(file, 'o\nthree ü\n');
    follower.poll();
    expect(lines).toEqual(['one', 'two', 'three ü']);
  });
});
