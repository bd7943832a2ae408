import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createHarness,
  originalAuthSuccess,
  referenceAuthSuccess,
  textDelta,
} from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const deliveredIds = (h: ReturnType<typeof createHarness>) =>
  h.argsOf('agent_event').map(([message]) => (message as { id: string }).id);
const replayState = (h: ReturnType<typeof createHarness>) =>
  (h.client.getSnapshot().state as { link?: { connected?: { replay?: string } } }).link?.connected?.replay;

/** A client on a link to a gateway that announced nothing (the original dialect). */
function original(options: Parameters<typeof createHarness>[0] = {}) {
  const h = createHarness(options);
  h.client.connect('chat-1');
  const socket = h.authenticate(originalAuthSuccess);
  return { h, socket };
}

describe('a gateway that announces nothing gets exactly the original frames', () => {
  it('writes resume with wantStatus, commands without a commandId, byte for byte', () => {
    const { h, socket } = original();
    h.client.sendToolConfirmation('call-1', true);
    h.client.sendUserInput('req-1', 'Paris');
    h.client.sendInterrupt();
    expect(socket.sent).toEqual([
      '{"token":"secret-token","type":"auth"}',
      '{"lastEventId":"","type":"resume","wantStatus":true}',
      '{"type":"heartbeat"}',
      '{"approved":true,"toolCallId":"call-1","type":"tool_confirmation"}',
      '{"type":"heartbeat"}',
      '{"content":"Paris","requestId":"req-1","type":"user_input"}',
      '{"type":"heartbeat"}',
      '{"type":"interrupt"}',
      '{"type":"heartbeat"}',
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

describe('ordering the replay of a gateway that streams live events before it', () => {
  it('holds frames until the ack of the heartbeat written after resume, then delivers each id once, in order', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const first = h.authenticate(originalAuthSuccess);
    first.receive({ type: 'heartbeat_ack' });
    for (const id of ['1', '2']) first.receive(textDelta(id));
    first.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate(originalAuthSuccess);
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
    const { h, socket } = original();
    socket.receive({ type: 'status_change', id: 's1', status: 'running' });
    socket.receive({ type: 'input_request', id: 'i1', requestId: 'r1', prompt: 'Which day?' });
    expect(h.names()).toEqual(['connected']);
    socket.receive({ type: 'heartbeat_ack' });
    expect(h.names()).toEqual(['connected', 'status_update', 'session_status', 'input_request']);
  });

  it('a link lost while holding delivers nothing, and the next link resumes from the last delivered id', () => {
    const { h, socket } = original();
    socket.receive({ type: 'heartbeat_ack' });
    socket.receive(textDelta('1'));
    socket.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate(originalAuthSuccess);
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
    const { h, socket } = original({ heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 5_000 });
    socket.receive({ type: 'heartbeat_ack' });
    vi.advanceTimersByTime(1_000); // an interval heartbeat, not yet acknowledged
    socket.receive({ type: 'auth_expired' }); // upstream's later gateway: re-auth on the same socket
    socket.receive(originalAuthSuccess);
    expect(socket.frameTypes.slice(-3)).toEqual(['auth', 'resume', 'heartbeat']);
    socket.receive(textDelta('1'));
    socket.receive({ type: 'heartbeat_ack' }); // answers the heartbeat written before the resume
    expect(replayState(h)).toBe('ordering');
    expect(deliveredIds(h)).toEqual([]);
    socket.receive({ type: 'heartbeat_ack' });
    expect(replayState(h)).toBe('live');
    expect(deliveredIds(h)).toEqual(['1']);
  });

  it('honours a resume_complete that comes anyway: it ends the hold, and a terminal one ends the session after the held frames', () => {
    const { h, socket } = original();
    socket.receive(textDelta('1'));
    socket.receive({ type: 'session_complete', id: 'end', summary: 'Done' });
    socket.receive({ type: 'resume_complete', status: 'completed' });
    expect(deliveredIds(h)).toEqual(['1']);
    expect(h.names()).toEqual(['connected', 'agent_event', 'session_complete', 'disconnected']);
    expect(h.argsOf('session_complete')).toEqual([
      [{ type: 'session_complete', id: 'end', summary: 'Done' }],
    ]);
    expect(h.client.getSnapshot().disconnectReason).toBe('sessionComplete');
  });

  it('a non-terminal resume_complete ends the hold and reports the session status', () => {
    const { h, socket } = original();
    socket.receive(textDelta('1'));
    socket.receive({ type: 'resume_complete', status: 'waiting_input' });
    expect(deliveredIds(h)).toEqual(['1']);
    expect(replayState(h)).toBe('live');
    expect(h.argsOf('session_status')).toEqual([['waiting_input']]);
    socket.receive({ type: 'resume_complete', status: 'completed' });
    expect(h.client.getSnapshot().disconnectReason).toBe('sessionComplete');
  });

  it('with the reference gateway nothing is held: it announced that no live event precedes its replay', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate(referenceAuthSuccess);
    socket.receive(textDelta('1'));
    expect(deliveredIds(h)).toEqual(['1']);
    expect(replayState(h)).toBe('resuming');
    expect(socket.frameTypes).toEqual(['auth', 'resume']);
  });

  it('with the reference gateway and wantStatus off, no end marker comes: every frame of the link is checked', () => {
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
});

describe('commands to a gateway that cannot deduplicate them', () => {
  it('a command confirmed by a heartbeat round trip is never reported or re-sent', () => {
    const { h, socket } = original();
    socket.receive({ type: 'heartbeat_ack' });
    h.client.sendUserInput('req-1', 'Paris');
    socket.receive({ type: 'heartbeat_ack' });
    socket.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate(originalAuthSuccess);
    expect(second.frameTypes).toEqual(['auth', 'resume', 'heartbeat']);
    expect(h.commandOutcomes('commandUnconfirmed')).toEqual([]);
  });

  it('a command whose link died unconfirmed is reported (an error of kind commandUnconfirmed), never written again', () => {
    const { h, socket } = original();
    socket.receive({ type: 'heartbeat_ack' });
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
    second.receive({ type: 'heartbeat_ack' });
    expect(second.frameTypes).toEqual(['auth', 'resume', 'heartbeat']);
  });

  it('commands queued while the link was down are written once on the next link, without ids', () => {
    const { h, socket } = original();
    socket.serverClose(1006);
    const { status } = h.client.sendInterrupt();
    expect(status).toBe('queued');
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate(originalAuthSuccess);
    expect(second.frames.slice(1, 3)).toEqual([
      { type: 'resume', lastEventId: '', wantStatus: true },
      { type: 'interrupt' },
    ]);
  });

  it('with command_id announced, an unconfirmed command is re-sent with its id instead of reported', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const first = h.authenticate(referenceAuthSuccess);
    const { commandId } = h.client.sendInterrupt();
    first.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate(referenceAuthSuccess);
    expect(second.frames).toContainEqual({ type: 'interrupt', commandId });
    expect(h.commandOutcomes('commandUnconfirmed')).toEqual([]);
  });
});
