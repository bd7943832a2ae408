import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, textDelta } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const deliveredIds = (h: ReturnType<typeof createHarness>) =>
  h.argsOf('agent_event').map(([message]) => (message as { id: string }).id);

describe('resume and duplicate frames', () => {
  it('advances lastEventId with every delivered frame and resumes from it after re-auth', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const first = h.authenticate();
    first.receive(textDelta('a-1'));
    first.receive({ type: 'status_change', id: 'a-2', status: 'running' });
    first.receive(textDelta('a-3'));
    expect(h.client.lastEventId).toBe('a-3');
    first.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate();
    expect(second.frames[1]).toEqual({ type: 'resume', lastEventId: 'a-3', wantStatus: true });
  });

  it('drops replayed frames whose id was already delivered, and counts them', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const first = h.authenticate();
    for (const id of ['1', '2', '3']) first.receive(textDelta(id));
    first.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate();
    // A replay that overlaps what was delivered live.
    for (const id of ['2', '3', '4', '5']) second.receive(textDelta(id));
    second.receive(textDelta('5'));
    expect(deliveredIds(h)).toEqual(['1', '2', '3', '4', '5']);
    expect(h.client.stats.duplicateFrames).toBe(3);
    expect(h.client.lastEventId).toBe('5');
  });

  it('delivers events during the replay, then resume_complete (non-terminal) moves to live and reports the status', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    expect(h.client.getSnapshot().state).toMatchObject({ link: { connected: { replay: 'resuming' } } });
    socket.receive(textDelta('1'));
    expect(deliveredIds(h)).toEqual(['1']);
    socket.receive({ type: 'resume_complete', status: 'waiting_input' });
    expect(h.client.getSnapshot().state).toMatchObject({ link: { connected: { replay: 'live' } } });
    expect(h.argsOf('session_status')).toEqual([['waiting_input']]);
    expect(h.client.sessionStatus).toBe('waiting_input');
    expect(h.client.connectionStatus).toBe('connected');
  });

  it('hibernated gateway: resume_complete "running" after an empty replay does not report completion', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    socket.receive({ type: 'resume_complete', status: 'running' });
    for (let beat = 0; beat < 4; beat++) {
      vi.advanceTimersByTime(30_000);
      socket.receive({ type: 'heartbeat_ack' });
    }
    expect(h.argsOf('session_complete')).toHaveLength(0);
    expect(h.client.connectionStatus).toBe('connected');
  });

  it('a terminal resume_complete ends the session without reconnecting: told as session_complete with the original payload type', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    socket.receive({ type: 'resume_complete', status: 'completed' });
    expect(h.client.getSnapshot().disconnectReason).toBe('sessionComplete');
    // The original types session_complete's payload as a session_complete frame: the session is
    // complete after the last event delivered (none here).
    expect(h.argsOf('session_complete')).toEqual([[{ type: 'session_complete', id: '' }]]);
    expect(h.names().slice(-3)).toEqual(['session_status', 'session_complete', 'disconnected']);
    expect(h.argsOf('session_status')).toEqual([['completed']]);
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'Client disconnect' });
    vi.advanceTimersByTime(120_000);
    expect(h.sockets).toHaveLength(1);
  });

  it('stays resuming when a gateway that announced resume_complete never sends it, and keeps delivering', () => {
    const h = createHarness({ heartbeatIntervalMs: 1_000 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(1_000);
      socket.receive({ type: 'heartbeat_ack' });
      socket.receive(textDelta(`${i}`));
    }
    expect(deliveredIds(h)).toHaveLength(5);
    expect(h.client.getSnapshot().state).toMatchObject({ link: { connected: { replay: 'resuming' } } });
    expect(h.argsOf('session_complete')).toHaveLength(0);
  });

  it('a new chatKey starts from "" while the same chatKey resumes where it stopped', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    h.authenticate().receive(textDelta('x-9'));
    h.client.disconnect();
    h.client.connect('chat-1');
    expect(h.authenticate().frames[1]).toMatchObject({ lastEventId: 'x-9' });
    h.client.disconnect();
    h.client.connect('chat-2');
    expect(h.authenticate().frames[1]).toMatchObject({ lastEventId: '' });
    // The new session's ids are new even if they equal the old session's.
    h.latest().receive(textDelta('x-9'));
    expect(deliveredIds(h)).toEqual(['x-9', 'x-9']);
  });

  it('forgets the oldest ids beyond dedupeWindow (memory stays bounded)', () => {
    const h = createHarness({ dedupeWindow: 2 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    for (const id of ['1', '2', '3', '1', '3']) socket.receive(textDelta(id));
    expect(deliveredIds(h)).toEqual(['1', '2', '3', '1']);
  });

  it('remembers exactly the last dedupeWindow ids streamed live, however many went by', () => {
    const h = createHarness({ dedupeWindow: 2 });
    h.client.connect('chat-1');
    const first = h.authenticate();
    first.receive({ type: 'resume_complete', status: 'running' });
    for (const id of ['1', '2', '3', '4', '5']) first.receive(textDelta(id));
    expect(deliveredIds(h)).toEqual(['1', '2', '3', '4', '5']);
    first.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate();
    // '3' left the window (only '4' and '5' are remembered): it is delivered again; '5' is not.
    for (const id of ['3', '5', '6']) second.receive(textDelta(id));
    expect(deliveredIds(h).slice(5)).toEqual(['3', '6']);
    expect(h.client.stats.duplicateFrames).toBe(1);
  });
});
