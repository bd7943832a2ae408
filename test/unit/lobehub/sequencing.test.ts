import { lobehubDialect } from 'agent-gateway-client/lobehub';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness } from '../../support/harness.js';
import { lobehubEvent } from '../../support/lobehubMock.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

type Harness = ReturnType<typeof createHarness>;

const chunk = (id: string) =>
  lobehubEvent('stream_chunk', { id, data: { chunkType: 'text', content: `t${id} ` } });
const deliveredIds = (h: Harness) =>
  h.argsOf('agent_event').map(([message]) => (message as { id?: string }).id);
const replayState = (h: Harness) => {
  const replay = (h.client.getSnapshot().state as { link?: { connected?: { replay?: unknown } } }).link
    ?.connected?.replay;
  return typeof replay === 'object' && replay !== null ? Object.keys(replay)[0] : replay;
};

/** A client of LobeHub's dialect on a fake socket, authenticated. */
function lobehub(options: Parameters<typeof createHarness>[0] = {}) {
  const h = createHarness({ dialect: lobehubDialect, ...options });
  h.client.connect('op-123');
  const socket = h.authenticate({ type: 'auth_success' });
  return { h, socket };
}

describe('LobeHub ids are a sequence: each event once, in id order', () => {
  it('a first link delivers from id 1 at once', () => {
    const { h, socket } = lobehub();
    expect(h.latest().url).toBe('wss://gateway.test/ws?operationId=op-123');
    for (const id of ['1', '2', '3']) socket.receive(chunk(id));
    expect(deliveredIds(h)).toEqual(['1', '2', '3']);
    expect(replayState(h)).toBe('sequencing');
  });

  it('live events that come before the replay wait for it: delivered in order, each once', () => {
    const { h, socket } = lobehub();
    socket.receive(chunk('1'));
    socket.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate({ type: 'auth_success' });
    expect(second.frames[1]).toEqual({ type: 'resume', lastEventId: '1', wantStatus: true });
    // The gateway pushed 4 and 5 live before it handled resume; its replay is 2..5.
    for (const id of ['4', '5', '2', '3', '4', '5']) second.receive(chunk(id));
    expect(deliveredIds(h)).toEqual(['1', '2', '3', '4', '5']);
    expect(h.client.stats.duplicateFrames).toBe(2);
    expect(h.client.lastEventId).toBe('5');
  });

  it('what a gap leaves waiting is delivered in order at resume_complete, which is told after it', () => {
    const { h, socket } = lobehub();
    socket.receive(chunk('1'));
    socket.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate({ type: 'auth_success' });
    for (const id of ['7', '5', '6']) second.receive(chunk(id));
    expect(deliveredIds(h)).toEqual(['1']);
    second.receive({ type: 'resume_complete', status: 'running', gap: true });
    expect(deliveredIds(h)).toEqual(['1', '5', '6', '7']);
    expect(replayState(h)).toBe('live');
    // The agent events first, then what resume_complete says: the status, and that history was lost.
    expect(h.names().slice(-6)).toEqual([
      'agent_event',
      'agent_event',
      'agent_event',
      'session_status',
      'history_lost',
      'error',
    ]);
    expect(h.errors().at(-1)).toMatchObject({ kind: 'historyLost' });
  });

  it('after the replay, an id at or below the last one is a duplicate; a jump is delivered', () => {
    const { h, socket } = lobehub();
    socket.receive(chunk('1'));
    socket.receive({ type: 'resume_complete', status: 'running' });
    for (const id of ['2', '2', '1', '9', '3']) socket.receive(chunk(id));
    expect(deliveredIds(h)).toEqual(['1', '2', '9']);
    expect(h.client.stats.duplicateFrames).toBe(3);
  });

  it('ids that are not numbers are compared as strings and passed as they come', () => {
    const { h, socket } = lobehub();
    for (const id of ['evt-2', 'evt-1', 'evt-2']) socket.receive(chunk(id));
    expect(deliveredIds(h)).toEqual(['evt-2', 'evt-1']);
  });

  it('an event without an id is delivered as it comes', () => {
    const { h, socket } = lobehub();
    socket.receive(lobehubEvent('step_start'));
    socket.receive(lobehubEvent('step_start'));
    expect(deliveredIds(h)).toEqual([undefined, undefined]);
  });

  it('a gateway that never says resume_complete: what waits is released at replayTimeoutMs, in order', () => {
    const { h, socket } = lobehub({ replayTimeoutMs: 10_000 });
    socket.receive(chunk('3'));
    socket.receive(chunk('2'));
    vi.advanceTimersByTime(9_999);
    expect(deliveredIds(h)).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(deliveredIds(h)).toEqual(['2', '3']);
    expect(h.client.connectionStatus).toBe('connected'); // LobeHub's order is in its ids: no need to drop the link
  });

  it('past maxHeldFrames what waits is released in order, and the link kept', () => {
    const { h, socket } = lobehub({ maxHeldFrames: 2 });
    for (const id of ['4', '3', '2']) socket.receive(chunk(id));
    expect(deliveredIds(h)).toEqual(['2', '3', '4']);
    expect(replayState(h)).toBe('live');
  });

  it('the gateway’s own message frames (status_change, input_request) are sequenced with the events', () => {
    const { h, socket } = lobehub();
    socket.receive({ type: 'status_change', id: '2', status: 'waiting_input' });
    socket.receive(chunk('1'));
    expect(h.names()).toEqual(['connected', 'agent_event', 'status_update', 'session_status']);
  });
});

describe('AgentGatewayClient on LobeHub’s dialect', () => {
  it('tells session_complete when the operation ends itself, and does not reconnect', () => {
    const { h, socket } = lobehub();
    socket.receive(chunk('1'));
    socket.receive(lobehubEvent('agent_runtime_end', { id: '2', data: { reason: 'done' } }));
    expect(h.names().slice(-3)).toEqual(['agent_event', 'session_complete', 'disconnected']);
    expect(h.argsOf('session_complete')).toEqual([[{ type: 'session_complete', id: '2' }]]);
    vi.advanceTimersByTime(60_000);
    expect(h.sockets).toHaveLength(1);
  });

  it('re-authenticates on the same socket after auth_expired, with a token provider', async () => {
    let n = 0;
    const h = createHarness({ dialect: lobehubDialect, token: undefined, getToken: () => `token-${++n}` });
    h.client.connect('op-123');
    const socket = h.authenticate({ type: 'auth_success' });
    socket.receive({ type: 'auth_expired' });
    expect(socket.frames.at(-1)).toEqual({ type: 'auth', token: 'token-2' });
  });

  it('refuses an event with neither kind nor type, and counts it', () => {
    const { h, socket } = lobehub();
    socket.receive({ type: 'agent_event', id: '1', event: { data: {} } });
    expect(h.client.stats.malformedFrames).toBe(1);
    expect(h.errors()[0]).toMatchObject({ name: 'FrameError', kind: 'invalidField' });
    expect(h.errors()[0]?.message).toContain('event.kind/type');
  });

  it('delivers an event of a type this version does not know, as it is', () => {
    const { h, socket } = lobehub();
    socket.receive(lobehubEvent('brand_new_type', { id: '1', data: { x: 1 } }));
    expect(h.argsOf('agent_event')[0]?.[0]).toMatchObject({
      event: { type: 'brand_new_type', data: { x: 1 } },
    });
  });
});
