import { describe, expect, it } from 'vitest';
import { claudeWire } from '../../src/agents/channel.js';
import type { NewRunEvent } from '../../src/core/events.js';
import { Conversation, NO_ANSWER, type ConversationHost, type Judgement } from '../../src/engine/conversation.js';

/** A conversation over a recorded stdin, with a policy that allows `npm test`, denies `rm`, and asks the rest. */
function talk(options: Partial<ConversationHost> = {}) {
  const written: Record<string, unknown>[] = [];
  const events: NewRunEvent[] = [];
  const holds: boolean[] = [];
  const ends: string[] = [];
  let closed = false;
  const judge = (call: { input: Record<string, unknown> }): Promise<Judgement> => {
    const command = String(call.input.command ?? '');
    if (command === 'npm test') return Promise.resolve({ verdict: 'allow', by: 'preset', rule: 'safe: a test command' });
    if (command.startsWith('rm')) return Promise.resolve({ verdict: 'deny', by: 'rule', rule: 'Bash(rm:*)' });
    return Promise.resolve({ verdict: 'ask' });
  };
  const conversation = new Conversation({
    job: 'wt1',
    wire: claudeWire,
    input: { write: (text) => void written.push(JSON.parse(text) as Record<string, unknown>), end: () => void (closed = true) },
    emit: (event) => void events.push(event),
    judge,
    allowAlways: () => undefined,
    onAsk: 'wait',
    inputTimeoutMs: 0,
    plan: false,
    hold: (on) => void holds.push(on),
    end: (why) => void ends.push(why.reason),
    ...options,
  });
  const request = (id: string, tool: string, input: Record<string, unknown>) => conversation.onEvent({ kind: 'request', requestId: id, subtype: 'can_use_tool', tool, input, toolUseId: null, suggestions: [] });
  const result = () => conversation.onEvent({ kind: 'result', isError: false, subtype: 'success', text: 'ok' });
  return { conversation, written, events, holds, ends, closed: () => closed, request, result };
}
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const responses = (written: Record<string, unknown>[]) => written.filter((line) => line.type === 'control_response').map((line) => (line.response as { response?: unknown; request_id: string }));

describe('a conversation over the two-way channel', () => {
  it('sends the prompt first, answers what the policy decides at once, and closes stdin after a result with nothing queued', async () => {
    const t = talk();
    t.conversation.start('Fix the bug');
    expect(t.written[0]).toEqual({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: 'Fix the bug' }] }, parent_tool_use_id: null });
    t.request('r1', 'Bash', { command: 'npm test' });
    t.request('r2', 'Bash', { command: 'rm -rf /' });
    await tick();
    expect(responses(t.written)).toEqual([
      { subtype: 'success', request_id: 'r1', response: { behavior: 'allow', updatedInput: { command: 'npm test' } } },
      { subtype: 'success', request_id: 'r2', response: { behavior: 'deny', message: "denied by par's permission policy (Bash(rm:*))" } },
    ]);
    expect(t.events.filter((event) => event.type === 'job/permission').map((event) => event.type === 'job/permission' && [event.decision, event.by, event.rule])).toEqual([
      ['allow', 'preset', 'safe: a test command'],
      ['deny', 'rule', 'Bash(rm:*)'],
    ]);
    expect(t.closed()).toBe(false);
    t.result();
    expect(t.closed()).toBe(true);
  });

  it('puts undecided requests to a person one at a time, holding the clocks while it waits; a late or second answer is refused', async () => {
    const t = talk();
    t.conversation.start('go');
    t.request('r1', 'Bash', { command: 'curl example.com' });
    t.request('r2', 'WebFetch', { url: 'https://example.com' });
    await tick();
    expect(t.events.filter((event) => event.type === 'job/needs-input')).toHaveLength(1);
    expect(t.conversation.pending?.requestId).toBe('r1');
    expect(t.holds).toEqual([true]);
    expect(t.conversation.answer({ requestId: 'r2', decision: 'allow', via: 'cli' })).toMatch(/not pending/);
    expect(t.conversation.answer({ requestId: 'r1', decision: 'allow', via: 'cli', command: 'c1' })).toBeNull();
    expect(t.conversation.answer({ requestId: 'r1', decision: 'deny', via: 'tui' })).toBe('request r1 was already answered: allowed by a person (cli)');
    // The next request is put to the person as the first is answered.
    expect(t.conversation.pending?.requestId).toBe('r2');
    expect(t.conversation.answer({ requestId: 'r2', decision: 'deny', message: 'not now', via: 'cli' })).toBeNull();
    expect(t.holds).toEqual([true, false]);
    expect(responses(t.written).map((response) => response.request_id)).toEqual(['r1', 'r2']);
    expect(JSON.stringify(responses(t.written)[1])).toContain('not now');
  });

  it('answers a question with the chosen label, and with "decide yourself" when nobody answers in time', async () => {
    const input = { questions: [{ question: 'Which database?', header: 'DB', multiSelect: false, options: [{ label: 'Postgres' }, { label: 'SQLite' }] }] };
    const t = talk();
    t.conversation.start('go');
    t.request('q1', 'AskUserQuestion', input);
    expect(t.conversation.answer({ requestId: 'q1', decision: 'allow', via: 'cli' })).toMatch(/question/);
    expect(t.conversation.answer({ requestId: 'q1', decision: 'answer', answers: ['SQLite'], via: 'cli' })).toBeNull();
    expect(responses(t.written)[0]?.response).toEqual({ behavior: 'allow', updatedInput: { ...input, answers: { 'Which database?': 'SQLite' } } });

    const timed = talk({ inputTimeoutMs: 20 });
    timed.conversation.start('go');
    timed.request('q2', 'AskUserQuestion', input);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(responses(timed.written)[0]?.response).toEqual({ behavior: 'allow', updatedInput: { ...input, answers: { 'Which database?': NO_ANSWER } } });
    expect(timed.events.at(-1)).toMatchObject({ type: 'job/answered', by: 'timeout', answer: NO_ANSWER });
  });

  it('--on-ask deny: an undecided request is denied at once, by rule --on-ask deny', async () => {
    const t = talk({ onAsk: 'deny' });
    t.conversation.start('go');
    t.request('r1', 'Bash', { command: 'curl example.com' });
    await tick();
    expect(t.events.some((event) => event.type === 'job/needs-input')).toBe(false);
    expect(t.events.at(-1)).toMatchObject({ type: 'job/permission', decision: 'deny', by: 'rule', rule: '--on-ask deny' });
  });

  it('queues a message sent mid-turn for the turn boundary; after an interrupt it waits for instructions, and a message goes at once', () => {
    const t = talk();
    t.conversation.start('first');
    expect(t.conversation.send('also the README', 'cli')).toBeNull();
    expect(t.written).toHaveLength(1);
    t.result();
    expect(t.written.at(-1)).toMatchObject({ type: 'user', message: { content: [{ text: 'also the README' }] } });
    expect(t.closed()).toBe(false);
    expect(t.conversation.interrupt('tui')).toBeNull();
    expect(t.written.at(-1)).toMatchObject({ type: 'control_request', request: { subtype: 'interrupt' } });
    t.result();
    // The interrupted turn's result does not end the job: it waits for instructions.
    expect(t.closed()).toBe(false);
    expect(t.conversation.pending?.kind).toBe('instructions');
    expect(t.conversation.interrupt('cli')).toMatch(/already waiting/);
    expect(t.conversation.send('use the other approach', 'cli')).toBeNull();
    expect(t.written.at(-1)).toMatchObject({ type: 'user', message: { content: [{ text: 'use the other approach' }] } });
    t.result();
    expect(t.closed()).toBe(true);
  });

  it('a request still being judged, or asked after the interrupt, is refused with the turn, never put to a person', async () => {
    let release: (judgement: Judgement) => void = () => undefined;
    const t = talk({ judge: () => new Promise<Judgement>((resolve) => (release = resolve)) });
    t.conversation.start('go');
    t.request('r1', 'Bash', { command: 'sleep 30' });
    expect(t.conversation.interrupt('web')).toBeNull();
    release({ verdict: 'ask' });
    await tick();
    t.request('r2', 'Bash', { command: 'make' });
    expect(t.events.some((event) => event.type === 'job/needs-input')).toBe(false);
    expect(responses(t.written)).toEqual([
      { subtype: 'success', request_id: 'r1', response: { behavior: 'deny', message: 'interrupted by the user' } },
      { subtype: 'success', request_id: 'r2', response: { behavior: 'deny', message: 'interrupted by the user' } },
    ]);
    expect(t.events.filter((event) => event.type === 'job/permission').map((event) => event.type === 'job/permission' && [event.request_id, event.by, event.via])).toEqual([
      ['r1', 'person', 'web'],
      ['r2', 'person', 'web'],
    ]);
    t.result();
    expect(t.conversation.pending?.kind).toBe('instructions');
  });

  it('a job waiting for instructions past the input timeout ends cancelled (no instructions)', async () => {
    const t = talk({ inputTimeoutMs: 20 });
    t.conversation.start('go');
    t.conversation.interrupt('cli');
    t.result();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(t.ends).toEqual(['no instructions']);
    expect(t.closed()).toBe(true);
  });

  it('answers a request of an unknown subtype with an error, and goes on', () => {
    const t = talk();
    t.conversation.start('go');
    t.conversation.onEvent({ kind: 'request', requestId: 'x1', subtype: 'mystery', tool: '', input: {}, toolUseId: null, suggestions: [] });
    expect(responses(t.written)[0]).toEqual({ subtype: 'error', request_id: 'x1', error: 'par does not serve "mystery" requests' });
  });

  it('while planning, records the plan handed over by ExitPlanMode, denies it, and ends after the turn', async () => {
    const t = talk({ plan: true });
    t.conversation.start('plan it');
    t.request('p1', 'ExitPlanMode', { plan: '1. do it' });
    expect(t.conversation.plan).toBe('1. do it');
    expect(responses(t.written)[0]?.response).toEqual({ behavior: 'deny', message: 'plan recorded for review' });
    t.result();
    expect(t.closed()).toBe(true);
    // The real CLI sends ExitPlanMode with an empty input: the planning still ends with its turn, whatever was queued.
    const empty = talk({ plan: true });
    empty.conversation.start('plan it');
    empty.conversation.send('and more', 'cli');
    empty.request('p2', 'ExitPlanMode', {});
    expect(empty.conversation.plan).toBeNull();
    empty.result();
    expect(empty.closed()).toBe(true);
    expect(empty.written.filter((line) => line.type === 'user')).toHaveLength(1);
  });
});
