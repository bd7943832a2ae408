import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createHarness,
  originalAuthSuccess,
  referenceAuthSuccess,
  textDelta,
} from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

type Harness = ReturnType<typeof createHarness>;

const deliveredIds = (h: Harness) =>
  h.argsOf('agent_event').map(([message]) => (message as { id: string }).id);
/** The replay region's state, by its top name (`ordering`, `live`, …). */
const replayState = (h: Harness) => {
  const replay = (h.client.getSnapshot().state as { link?: { connected?: { replay?: unknown } } }).link
    ?.connected?.replay;
  return typeof replay === 'object' && replay !== null ? Object.keys(replay)[0] : replay;
};

/** A client on a first link to a gateway that announced nothing (the original dialect). */
function original(options: Parameters<typeof createHarness>[0] = {}) {
  const h = createHarness(options);
  h.client.connect('chat-1');
  const socket = h.authenticate(originalAuthSuccess);
  return { h, socket };
}

/** A client whose first link delivered `ids`, then dropped: the second link (returned) resumes from the last. */
function reconnected(ids: string[], options: Parameters<typeof createHarness>[0] = {}) {
  const { h, socket } = original(options);
  for (const id of ids) socket.receive(textDelta(id));
  socket.serverClose(1006);
  vi.advanceTimersByTime(options.initialReconnectDelayMs ?? 1_000);
  const second = h.authenticate(originalAuthSuccess);
  return { h, first: socket, second };
}

describe('a gateway that announces nothing gets exactly the original frames', () => {
  it('on a first link: auth, then the commands, byte for byte; no resume, no heartbeat before the interval', () => {
    const { h, socket } = original();
    h.client.sendToolConfirmation('call-1', true);
    h.client.sendUserInput('req-1', 'Paris');
    h.client.sendInterrupt();
    expect(socket.sent).toEqual([
      '{"token":"secret-token","type":"auth"}',
      '{"approved":true,"toolCallId":"call-1","type":"tool_confirmation"}',
      '{"content":"Paris","requestId":"req-1","type":"user_input"}',
      '{"type":"interrupt"}',
    ]);
  });

  it('on a link with a cursor: resume with wantStatus, then one heartbeat to learn where the replay ends', () => {
    const { second } = reconnected(['1']);
    expect(second.sent).toEqual([
      '{"token":"secret-token","type":"auth"}',
      '{"lastEventId":"1","type":"resume","wantStatus":true}',
      '{"type":"heartbeat"}',
    ]);
  });

  it('a later link resumes even with nothing delivered: events may have streamed on the link that died', () => {
    const { h, socket } = original();
    socket.serverClose(1006); // before any event reached the client
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate(originalAuthSuccess);
    expect(second.frames.slice(1)).toEqual([
      { type: 'resume', lastEventId: '', wantStatus: true },
      { type: 'heartbeat' },
    ]);
    for (const id of ['1', '2']) second.receive(textDelta(id));
    second.receive({ type: 'heartbeat_ack' });
    expect(deliveredIds(h)).toEqual(['1', '2']);
  });

  it('with a lastEventId option the first link resumes too', () => {
    const { socket } = original({ lastEventId: 'stored-7' });
    expect(socket.frames.slice(1)).toEqual([
      { type: 'resume', lastEventId: 'stored-7', wantStatus: true },
      { type: 'heartbeat' },
    ]);
  });

  it('ignores capabilities it does not know, and writes a commandId only where command_id is announced', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate({ type: 'auth_success', capabilities: ['future_thing', 'command_id'] });
    const { commandId } = h.client.sendInterrupt();
    expect(socket.frames).toContainEqual({ type: 'interrupt', commandId });
  });
});

// Written the way the original client's own tests are: the mock never acknowledges a heartbeat
// unless the test says so.
describe('a first link against a mock written like the original client tests', () => {
  it('delivers events after auth_success at once, every session frame in order', () => {
    const { h, socket } = original();
    socket.receive(textDelta('1'));
    socket.receive({ type: 'status_change', id: 's1', status: 'running' });
    socket.receive({ type: 'input_request', id: 'i1', requestId: 'r1', prompt: 'Which day?' });
    expect(deliveredIds(h)).toEqual(['1']);
    expect(h.names()).toEqual([
      'connected',
      'agent_event',
      'status_update',
      'session_status',
      'input_request',
    ]);
    expect(replayState(h)).toBe('live');
  });

  it('writes its first heartbeat at 30 s, not before', () => {
    const { socket } = original();
    socket.receive(textDelta('1'));
    vi.advanceTimersByTime(29_999);
    expect(socket.frameTypes).toEqual(['auth']);
    vi.advanceTimersByTime(1);
    expect(socket.frameTypes).toEqual(['auth', 'heartbeat']);
  });

  it('does not reconnect after session_complete followed by the gateway closing', () => {
    const { h, socket } = original();
    socket.receive(textDelta('1'));
    socket.receive({ type: 'session_complete', id: 'end' });
    socket.serverClose(1000);
    vi.advanceTimersByTime(60_000);
    expect(h.sockets).toHaveLength(1);
    expect(h.client.getSnapshot().disconnectReason).toBe('sessionComplete');
    expect(h.names()).toEqual(['connected', 'agent_event', 'session_complete', 'disconnected']);
  });

  it('repeats nothing: an id delivered once is dropped when a faulty gateway sends it again', () => {
    const { h, socket } = original();
    for (const id of ['1', '2', '1', '3', '2']) socket.receive(textDelta(id));
    expect(deliveredIds(h)).toEqual(['1', '2', '3']);
    expect(h.client.stats.duplicateFrames).toBe(2);
  });
});

describe('ordering the replay of a gateway that streams live events before it (a link with a cursor)', () => {
  it('holds frames until the ack of the heartbeat written after resume, then delivers each id once, in order', () => {
    const { h, second } = reconnected(['1', '2']);
    expect(second.frames.slice(1)).toEqual([
      { type: 'resume', lastEventId: '2', wantStatus: true },
      { type: 'heartbeat' },
    ]);
    // Live events the gateway streamed before it handled resume, then its replay, which repeats them.
    for (const id of ['4', '5', '3', '4', '5']) second.receive(textDelta(id));
    expect(deliveredIds(h)).toEqual(['1', '2']);
    expect(h.client.lastEventId).toBe('2');
    expect(replayState(h)).toBe('ordering');
    second.receive({ type: 'heartbeat_ack' });
    expect(deliveredIds(h)).toEqual(['1', '2', '3', '4', '5']);
    expect(h.client.lastEventId).toBe('5');
    expect(h.client.stats.duplicateFrames).toBe(2);
    expect(replayState(h)).toBe('live');
    // Live from here on: delivered at once.
    second.receive(textDelta('6'));
    expect(deliveredIds(h)).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('holds every session frame, not only agent events, and keeps their order', () => {
    const { h, second } = reconnected(['1']);
    const before = h.names().length;
    second.receive({ type: 'status_change', id: 's1', status: 'running' });
    second.receive({ type: 'input_request', id: 'i1', requestId: 'r1', prompt: 'Which day?' });
    expect(h.names().slice(before)).toEqual([]);
    second.receive({ type: 'heartbeat_ack' });
    expect(h.names().slice(before)).toEqual(['status_update', 'session_status', 'input_request']);
  });

  it('a link lost while holding delivers nothing, and the next link resumes from the last delivered id', () => {
    const { h, second } = reconnected(['1']);
    second.receive(textDelta('2'));
    second.serverClose(1006);
    vi.advanceTimersByTime(2_000);
    const third = h.authenticate(originalAuthSuccess);
    expect(third.frames[1]).toEqual({ type: 'resume', lastEventId: '1', wantStatus: true });
    third.receive(textDelta('2'));
    third.receive({ type: 'heartbeat_ack' });
    expect(deliveredIds(h)).toEqual(['1', '2']);
  });

  it('the ack of a heartbeat written before the resume does not end the hold; the one after it does', () => {
    const { h, second } = reconnected(['0'], { heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 5_000 });
    second.receive({ type: 'heartbeat_ack' }); // the probe: the hold ends
    vi.advanceTimersByTime(1_000); // an interval heartbeat, not yet acknowledged
    second.receive({ type: 'auth_expired' }); // upstream's later gateway: re-auth on the same socket
    second.receive(originalAuthSuccess);
    expect(second.frameTypes.slice(-3)).toEqual(['auth', 'resume', 'heartbeat']);
    second.receive(textDelta('1'));
    second.receive({ type: 'heartbeat_ack' }); // answers the heartbeat written before the resume
    expect(replayState(h)).toBe('ordering');
    expect(deliveredIds(h)).toEqual(['0']);
    second.receive({ type: 'heartbeat_ack' });
    expect(replayState(h)).toBe('live');
    expect(deliveredIds(h)).toEqual(['0', '1']);
  });

  it('honours a resume_complete that comes anyway: it ends the hold, and a terminal one ends the session after the held frames', () => {
    const { h, second } = reconnected(['0']);
    second.receive(textDelta('1'));
    second.receive({ type: 'session_complete', id: 'end', summary: 'Done' });
    second.receive({ type: 'resume_complete', status: 'completed' });
    expect(deliveredIds(h)).toEqual(['0', '1']);
    expect(h.names().slice(-4)).toEqual(['connected', 'agent_event', 'session_complete', 'disconnected']);
    expect(h.argsOf('session_complete')).toEqual([
      [{ type: 'session_complete', id: 'end', summary: 'Done' }],
    ]);
    expect(h.client.getSnapshot().disconnectReason).toBe('sessionComplete');
  });

  it('a non-terminal resume_complete ends the hold and reports the session status', () => {
    const { h, second } = reconnected(['0']);
    second.receive(textDelta('1'));
    second.receive({ type: 'resume_complete', status: 'waiting_input' });
    expect(deliveredIds(h)).toEqual(['0', '1']);
    expect(replayState(h)).toBe('live');
    expect(h.argsOf('session_status')).toEqual([['waiting_input']]);
    second.receive({ type: 'resume_complete', status: 'completed' });
    expect(h.client.getSnapshot().disconnectReason).toBe('sessionComplete');
  });
});

describe('the hold is bounded', () => {
  it('a gateway that never acknowledges: the link is closed at replayTimeoutMs, which frames do not extend, and retried', () => {
    const { h, second } = reconnected(['0'], { replayTimeoutMs: 10_000 });
    for (let i = 1; i <= 20; i++) {
      vi.advanceTimersByTime(499);
      second.receive(textDelta(`live-${i}`)); // every frame is proof of life, none ends the hold
    }
    expect(second.closedWith).toBeUndefined();
    vi.advanceTimersByTime(10_000 - 20 * 499);
    expect(second.closedWith).toEqual({ code: 4000, reason: 'Replay did not end in time' });
    expect(h.client.connectionStatus).toBe('reconnecting');
    expect(deliveredIds(h)).toEqual(['0']); // nothing held was delivered: the next link replays it
    vi.advanceTimersByTime(2_000);
    const third = h.authenticate(originalAuthSuccess);
    expect(third.frames[1]).toEqual({ type: 'resume', lastEventId: '0', wantStatus: true });
  });

  it('past maxHeldFrames the link is closed with a clear reason and retried', () => {
    const { h, second } = reconnected(['0'], { maxHeldFrames: 3 });
    for (const id of ['1', '2', '3']) second.receive(textDelta(id));
    expect(second.closedWith).toBeUndefined();
    second.receive(textDelta('4'));
    expect(second.closedWith).toEqual({ code: 4000, reason: 'Replay too large to hold' });
    expect(h.client.connectionStatus).toBe('reconnecting');
    expect(deliveredIds(h)).toEqual(['0']);
  });

  it('past maxHeldBytes too', () => {
    const { second } = reconnected(['0'], { maxHeldBytes: 300 });
    second.receive(textDelta('1', 'x'.repeat(200)));
    expect(second.closedWith).toBeUndefined();
    second.receive(textDelta('2', 'x'.repeat(200)));
    expect(second.closedWith).toEqual({ code: 4000, reason: 'Replay too large to hold' });
  });

  it('links that never get past the hold count as failed attempts: the client gives up instead of looping', () => {
    const h = createHarness({ maxReconnectAttempts: 3, replayTimeoutMs: 10_000, minUptimeMs: 5_000 });
    h.client.connect('chat-1');
    const first = h.authenticate(originalAuthSuccess);
    first.receive(textDelta('0'));
    first.serverClose(1006);
    for (let attempt = 1; attempt <= 3; attempt++) {
      vi.advanceTimersByTime(30_000);
      h.authenticate(originalAuthSuccess); // and never acknowledges the heartbeat
      vi.advanceTimersByTime(10_000);
    }
    expect(h.client.getSnapshot().disconnectReason).toBe('gaveUp');
    expect(h.sockets).toHaveLength(4);
  });

  it('a session that ends within the hold is not lost when the gateway closes right after session_complete: no reconnect loop', () => {
    const { h, second } = reconnected(['0']);
    second.receive(textDelta('1'));
    second.receive({ type: 'session_complete', id: 'end' });
    second.serverClose(1000);
    expect(deliveredIds(h)).toEqual(['0', '1']);
    expect(h.argsOf('session_complete')).toEqual([[{ type: 'session_complete', id: 'end' }]]);
    expect(h.client.getSnapshot().disconnectReason).toBe('sessionComplete');
    vi.advanceTimersByTime(60_000);
    expect(h.sockets).toHaveLength(2);
  });

  it('nor when it stops answering: the held end of the session is delivered at the timeout', () => {
    const { h, second } = reconnected(['0'], { replayTimeoutMs: 10_000 });
    second.receive(textDelta('1'));
    second.receive({ type: 'session_complete', id: 'end' });
    vi.advanceTimersByTime(10_000);
    expect(deliveredIds(h)).toEqual(['0', '1']);
    expect(h.client.getSnapshot().disconnectReason).toBe('sessionComplete');
    expect(h.sockets).toHaveLength(2);
  });

  it('with the end of the session held, an ack still ends the hold first and the replay is delivered whole', () => {
    const { h, second } = reconnected(['0']);
    second.receive({ type: 'session_complete', id: 'end' }); // live, before the replay
    for (const id of ['1', '2']) second.receive(textDelta(id));
    second.receive({ type: 'session_complete', id: 'end' }); // the replay repeats it
    second.receive({ type: 'heartbeat_ack' });
    expect(deliveredIds(h)).toEqual(['0', '1', '2']);
    expect(h.argsOf('session_complete')).toHaveLength(1);
    expect(h.client.getSnapshot().disconnectReason).toBe('sessionComplete');
  });
});

describe('with the reference gateway nothing is held', () => {
  it('it announced that no live event precedes its replay', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate(referenceAuthSuccess);
    socket.receive(textDelta('1'));
    expect(deliveredIds(h)).toEqual(['1']);
    expect(replayState(h)).toBe('resuming');
    expect(socket.frameTypes).toEqual(['auth', 'resume']);
  });

  it('with wantStatus off no end marker comes: every id is still delivered once', () => {
    const h = createHarness({ wantStatus: false });
    h.client.connect('chat-1');
    const first = h.authenticate(referenceAuthSuccess);
    expect(first.frames[1]).toEqual({ type: 'resume', lastEventId: '' });
    first.receive(textDelta('1'));
    first.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate(referenceAuthSuccess);
    for (const id of ['1', '2', '1', '2']) second.receive(textDelta(id));
    expect(replayState(h)).toBe('resuming');
    expect(deliveredIds(h)).toEqual(['1', '2']);
  });

  it('ids repeated after resume_complete are dropped too', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate(referenceAuthSuccess);
    socket.receive(textDelta('1'));
    socket.receive({ type: 'resume_complete', status: 'running' });
    for (const id of ['2', '1', '2', '3']) socket.receive(textDelta(id));
    expect(replayState(h)).toBe('live');
    expect(deliveredIds(h)).toEqual(['1', '2', '3']);
    expect(h.client.stats.duplicateFrames).toBe(2);
  });
});

describe('commands to a gateway that cannot deduplicate them', () => {
  it('a command confirmed by the ack of the next heartbeat (at the interval) is never reported or re-sent', () => {
    const { h, socket } = original();
    h.client.sendUserInput('req-1', 'Paris');
    expect(socket.frameTypes).toEqual(['auth', 'user_input']);
    vi.advanceTimersByTime(30_000);
    expect(socket.frameTypes).toEqual(['auth', 'user_input', 'heartbeat']);
    socket.receive({ type: 'heartbeat_ack' });
    expect(h.client.getSnapshot().unconfirmedCommands).toBe(0);
    socket.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate(originalAuthSuccess);
    expect(second.frameTypes).toEqual(['auth', 'resume', 'heartbeat']);
    expect(h.commandOutcomes('commandUnconfirmed')).toEqual([]);
  });

  it('a command whose link died unconfirmed is reported (an error of kind commandUnconfirmed), never written again', () => {
    const { h, socket } = original();
    const { commandId } = h.client.sendUserInput('req-1', 'Paris');
    socket.serverClose(1006); // no ack: the gateway may or may not have applied it
    expect(h.commandOutcomes('commandUnconfirmed')).toEqual([
      [commandId, { type: 'user_input', requestId: 'req-1', content: 'Paris' }, 'unconfirmed'],
    ]);
    expect(h.errors()).toHaveLength(1); // told once
    expect(h.errors()[0]).toMatchObject({
      name: 'AgentGatewayError',
      kind: 'commandUnconfirmed',
      details: { reason: 'unconfirmed', command: { type: 'user_input', commandId } },
    });
    expect(h.client.getSnapshot()).toMatchObject({ queuedCommands: 0, unconfirmedCommands: 0 });
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate(originalAuthSuccess);
    expect(second.frameTypes).toEqual(['auth', 'resume', 'heartbeat']);
  });

  it('commands queued while the link was down are written once on the next link, without ids', () => {
    const { h, socket } = original();
    socket.serverClose(1006);
    const { status } = h.client.sendInterrupt();
    expect(status).toBe('queued');
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate(originalAuthSuccess);
    expect(second.frames).toEqual([
      { type: 'auth', token: 'secret-token' },
      { type: 'resume', lastEventId: '', wantStatus: true },
      { type: 'interrupt' },
      { type: 'heartbeat' },
    ]);
  });

  it('with command_id announced, a command is confirmed by a heartbeat at once, and an unconfirmed one re-sent with its id', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const first = h.authenticate(referenceAuthSuccess);
    const { commandId } = h.client.sendInterrupt();
    expect(first.frameTypes).toEqual(['auth', 'resume', 'interrupt', 'heartbeat']);
    first.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate(referenceAuthSuccess);
    expect(second.frames).toContainEqual({ type: 'interrupt', commandId });
    expect(h.commandOutcomes('commandUnconfirmed')).toEqual([]);
  });
});
