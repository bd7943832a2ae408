import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, referenceAuthSuccess } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const commandFrames = (frames: Array<Record<string, unknown>>) =>
  frames.filter((frame) => ['interrupt', 'tool_confirmation', 'user_input'].includes(String(frame.type)));

describe('outbound commands', () => {
  it('writes commands at once while connected, each followed by a heartbeat probe', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    const receipt = h.client.sendToolConfirmation('call-1', true);
    expect(receipt.status).toBe('sent');
    expect(socket.frames.slice(2)).toEqual([
      { type: 'tool_confirmation', toolCallId: 'call-1', approved: true, commandId: receipt.commandId },
      { type: 'heartbeat' },
    ]);
  });

  it('queues commands while reconnecting and flushes them in order right after auth and resume', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.authenticate().serverClose(1006);
    expect(h.client.sendUserInput('req-1', 'Paris').status).toBe('queued');
    expect(h.client.sendToolConfirmation('call-2', false).status).toBe('queued');
    expect(h.client.sendInterrupt().status).toBe('queued');
    expect(h.client.getSnapshot().queuedCommands).toBe(3);
    vi.advanceTimersByTime(1_000);
    const socket = h.latest();
    socket.open();
    expect(socket.frameTypes).toEqual(['auth']); // never before auth_success
    socket.receive(referenceAuthSuccess);
    expect(socket.frameTypes).toEqual([
      'auth',
      'resume',
      'user_input',
      'tool_confirmation',
      'interrupt',
      'heartbeat',
    ]);
    expect(h.client.getSnapshot().queuedCommands).toBe(0);
  });

  it('queues commands issued while connecting and authenticating too', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.client.sendInterrupt();
    h.latest().open();
    h.client.sendUserInput('r', 'x');
    expect(h.latest().frameTypes).toEqual(['auth']);
    h.latest().receive(referenceAuthSuccess);
    expect(h.latest().frameTypes).toEqual(['auth', 'resume', 'interrupt', 'user_input', 'heartbeat']);
  });

  it('never writes a confirmed command twice across reconnects', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const first = h.authenticate();
    h.client.sendToolConfirmation('call-1', true);
    first.receive({ type: 'heartbeat_ack' }); // the gateway has read it
    expect(h.client.getSnapshot().unconfirmedCommands).toBe(0);
    first.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    expect(h.sockets).toHaveLength(2);
    expect(commandFrames(h.authenticate().frames)).toEqual([]);
  });

  it('re-sends, once and with the same commandId, a command whose link died before the gateway confirmed it', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const first = h.authenticate();
    const { commandId } = h.client.sendUserInput('req-1', 'Paris');
    expect(h.client.getSnapshot().unconfirmedCommands).toBe(1);
    first.serverClose(1006); // no ack: the gateway may never have read it
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate();
    expect(commandFrames(second.frames)).toEqual([
      { type: 'user_input', requestId: 'req-1', content: 'Paris', commandId },
    ]);
    second.receive({ type: 'heartbeat_ack' });
    second.serverClose(1006);
    vi.advanceTimersByTime(2_000);
    expect(h.sockets).toHaveLength(3);
    expect(commandFrames(h.authenticate().frames)).toEqual([]);
  });

  it('confirms commands by the ack of a heartbeat written after them, not an earlier one', () => {
    const h = createHarness({ heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 5_000 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    vi.advanceTimersByTime(1_000); // heartbeat #1 in flight
    h.client.sendInterrupt(); // written after #1; its probe is #2
    socket.receive({ type: 'heartbeat_ack' }); // acks #1 only
    expect(h.client.getSnapshot().unconfirmedCommands).toBe(1);
    socket.receive({ type: 'heartbeat_ack' }); // acks #2
    expect(h.client.getSnapshot().unconfirmedCommands).toBe(0);
  });

  it('rejects commands while disconnected with a typed receipt, told once, without throwing', () => {
    const h = createHarness();
    const receipt = h.client.sendToolConfirmation('call-1', true);
    expect(receipt).toEqual({ commandId: receipt.commandId, status: 'rejected', reason: 'notConnected' });
    expect(h.errors()).toEqual([]); // the receipt told it
    h.client.connect('chat-1');
    expect(commandFrames(h.authenticate().frames)).toEqual([]);
  });

  it('bounds the outbox: rejectNew refuses the newest', () => {
    const h = createHarness({ maxQueuedCommands: 2 });
    h.client.connect('chat-1');
    h.client.sendUserInput('r1', 'a');
    h.client.sendUserInput('r2', 'b');
    const third = h.client.sendUserInput('r3', 'c');
    expect(third).toMatchObject({ status: 'rejected', reason: 'outboxFull' });
    expect(commandFrames(h.authenticate().frames).map((frame) => frame.requestId)).toEqual(['r1', 'r2']);
  });

  it('bounds the outbox: dropOldest evicts the oldest and reports it', () => {
    const h = createHarness({ maxQueuedCommands: 2, outboxOverflow: 'dropOldest' });
    h.client.connect('chat-1');
    const first = h.client.sendUserInput('r1', 'a');
    h.client.sendUserInput('r2', 'b');
    expect(h.client.sendUserInput('r3', 'c').status).toBe('queued');
    expect(h.commandOutcomes('commandDropped')).toEqual([
      [first.commandId, { type: 'user_input', requestId: 'r1', content: 'a' }, 'outboxFull'],
    ]);
    expect(commandFrames(h.authenticate().frames).map((frame) => frame.requestId)).toEqual(['r2', 'r3']);
  });

  it('reports commands still queued when the session ends as dropped, with the reason', () => {
    const h = createHarness({ maxReconnectAttempts: 1 });
    h.client.connect('chat-1');
    h.latest().fail();
    const receipt = h.client.sendInterrupt();
    vi.advanceTimersByTime(1_000);
    h.latest().fail(); // gives up
    expect(h.commandOutcomes('commandDropped')).toEqual([
      [receipt.commandId, { type: 'interrupt' }, 'gaveUp'],
    ]);
    expect(h.client.getSnapshot().queuedCommands).toBe(0);

    const user = createHarness();
    user.client.connect('chat-1');
    const queued = user.client.sendInterrupt();
    user.client.disconnect();
    expect(user.commandOutcomes('commandDropped')).toEqual([
      [queued.commandId, { type: 'interrupt' }, 'userDisconnect'],
    ]);
  });

  it('a command issued from inside a machine event listener gets a pending receipt and is still written once', () => {
    const h = createHarness();
    const receipts: unknown[] = [];
    h.client.on('connected', () => receipts.push(h.client.sendInterrupt()));
    h.client.connect('chat-1');
    const socket = h.authenticate();
    expect(receipts).toEqual([{ commandId: expect.any(String), status: 'pending' }]);
    expect(commandFrames(socket.frames)).toHaveLength(1);
    expect(h.errors()).toEqual([]);
  });

  it('a pending command that is then refused is told once, as an error of kind commandRejected', () => {
    const h = createHarness();
    const receipts: Array<{ commandId: string }> = [];
    h.client.on('disconnected', () => receipts.push(h.client.sendInterrupt()));
    h.client.connect('chat-1');
    h.authenticate();
    h.client.disconnect();
    expect(receipts).toEqual([{ commandId: expect.any(String), status: 'pending' }]);
    expect(h.commandOutcomes('commandRejected')).toEqual([
      [receipts[0]?.commandId, { type: 'interrupt' }, 'notConnected'],
    ]);
    expect(h.errors()[0]?.message).toMatch(/no active session/);
  });

  it('validates command arguments', () => {
    const h = createHarness();
    expect(() => h.client.sendToolConfirmation('', true)).toThrow(TypeError);
    expect(() => h.client.sendToolConfirmation('c', 'yes' as never)).toThrow(TypeError);
    expect(() => h.client.sendUserInput('r', 42 as never)).toThrow(TypeError);
  });
});

describe('commands when the session ends', () => {
  it('a written command whose confirmation had not arrived when the session completed is not reported dropped', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    h.client.sendUserInput('req-1', 'Paris'); // written, its heartbeat probe not acknowledged yet
    socket.receive({ type: 'session_complete', id: 'end' }); // the gateway applied it and finished
    expect(h.commandOutcomes('commandDropped')).toEqual([]);
    expect(h.errors()).toEqual([]);
    expect(h.client.getSnapshot().unconfirmedCommands).toBe(0);
  });

  it('the same after a user disconnect: written commands are let go, queued ones are reported', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.authenticate();
    h.client.sendInterrupt();
    h.client.disconnect();
    expect(h.commandOutcomes('commandDropped')).toEqual([]);
    h.client.connect('chat-1');
    h.authenticate().serverClose(1006);
    const queued = h.client.sendInterrupt();
    h.client.disconnect();
    expect(h.commandOutcomes('commandDropped')).toEqual([
      [queued.commandId, { type: 'interrupt' }, 'userDisconnect'],
    ]);
  });

  it('unconfirmed commands of a lost link are re-sent on the next link, not carried into a new session', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.authenticate();
    h.client.sendInterrupt();
    h.client.disconnect();
    h.client.connect('chat-2');
    expect(commandFrames(h.authenticate().frames)).toEqual([]);
  });
});

describe('a command the socket cannot take', () => {
  it('written while the socket is already closing, it is queued again, not counted as sent', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    socket.startClosing();
    const receipt = h.client.sendUserInput('req-1', 'Paris');
    expect(receipt.status).toBe('queued');
    expect(h.client.getSnapshot()).toMatchObject({ queuedCommands: 1, unconfirmedCommands: 0 });
    socket.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    expect(commandFrames(h.authenticate().frames)).toEqual([
      { type: 'user_input', requestId: 'req-1', content: 'Paris', commandId: receipt.commandId },
    ]);
  });

  it('and reported dropped if the session then ends', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    socket.startClosing();
    const receipt = h.client.sendInterrupt();
    socket.serverClose(4500, 'Gone for good');
    expect(h.commandOutcomes('commandDropped')).toEqual([
      [receipt.commandId, { type: 'interrupt' }, 'terminalClose'],
    ]);
  });
});
