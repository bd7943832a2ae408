import {
  AgentStreamClient,
  type AgentStreamClientOptions,
  type ConnectionStatus,
} from 'agent-gateway-client/lobehub';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type LobeHubMockSocket, lobehubEvent, stubGlobalWebSocket } from '../../support/lobehubMock.js';

// The drop-in, driven exactly as LobeHub's own client tests drive theirs: a global WebSocket mock
// that opens on the next tick and never answers a heartbeat unless told to.

let sockets: LobeHubMockSocket[];
beforeEach(() => {
  sockets = stubGlobalWebSocket();
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function createClient(overrides: Partial<AgentStreamClientOptions> = {}) {
  return new AgentStreamClient({
    gatewayUrl: 'https://gateway.test.com',
    operationId: 'op-123',
    token: 'test-token',
    ...overrides,
  });
}

const latest = () => sockets.at(-1) as LobeHubMockSocket;

async function connectAndAuth(client: AgentStreamClient): Promise<LobeHubMockSocket> {
  client.connect();
  await vi.advanceTimersByTimeAsync(1);
  const socket = latest();
  socket.simulateMessage({ type: 'auth_success' });
  return socket;
}

describe('connecting', () => {
  it('dials /ws?operationId=… with the http scheme mapped', () => {
    createClient().connect();
    expect(latest().url).toBe('wss://gateway.test.com/ws?operationId=op-123');
    createClient({ gatewayUrl: 'http://localhost:8787', operationId: 'op 1' }).connect();
    expect(latest().url).toBe('ws://localhost:8787/ws?operationId=op%201');
  });

  it('authenticates on open, then writes resume with an empty cursor and wantStatus, as LobeHub does on every link', async () => {
    const socket = await connectAndAuth(createClient());
    expect(socket.frames).toEqual([
      { token: 'test-token', type: 'auth' },
      { lastEventId: '', type: 'resume', wantStatus: true },
    ]);
  });

  it('tells connecting, authenticating, connected and emits connected after auth_success', async () => {
    const client = createClient();
    const statuses: ConnectionStatus[] = [];
    const connected = vi.fn();
    client.on('status_changed', (status) => statuses.push(status));
    client.on('connected', connected);
    client.connect();
    expect(statuses).toEqual(['connecting']);
    await vi.advanceTimersByTimeAsync(1);
    expect(statuses).toEqual(['connecting', 'authenticating']);
    latest().simulateMessage({ type: 'auth_success' });
    expect(statuses).toEqual(['connecting', 'authenticating', 'connected']);
    expect(connected).toHaveBeenCalledOnce();
  });

  it('opens no second socket while connected', async () => {
    const client = createClient();
    await connectAndAuth(client);
    client.connect();
    expect(sockets).toHaveLength(1);
  });

  it('resumes from a cursor handed over by another transport, delivering what follows it at once', async () => {
    const client = createClient({ lastEventId: '42', resumeOnConnect: true });
    const events = vi.fn();
    client.on('agent_event', events);
    const socket = await connectAndAuth(client);
    expect(socket.frames[1]).toEqual({ lastEventId: '42', type: 'resume', wantStatus: true });
    socket.simulateMessage(lobehubEvent('stream_chunk', { id: '43' }));
    expect(events).toHaveBeenCalledOnce();
  });
});

describe('authentication', () => {
  it('auth_failed is told with its reason and ends the session', async () => {
    const client = createClient();
    const failed = vi.fn();
    client.on('auth_failed', failed);
    client.connect();
    await vi.advanceTimersByTimeAsync(1);
    latest().simulateMessage({ reason: 'invalid token', type: 'auth_failed' });
    expect(failed).toHaveBeenCalledWith('invalid token');
    expect(client.connectionStatus).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('auth_expired is told and the socket stays connected until the app reconnects with a new token', async () => {
    const client = createClient();
    const expired = vi.fn();
    const disconnected = vi.fn();
    client.on('auth_expired', expired);
    client.on('disconnected', disconnected);
    const socket = await connectAndAuth(client);
    socket.simulateMessage({ type: 'auth_expired' });
    expect(expired).toHaveBeenCalledOnce();
    expect(disconnected).not.toHaveBeenCalled();
    expect(client.connectionStatus).toBe('connected');
    expect(socket.frames.map((frame) => frame.type)).toEqual(['auth', 'resume']);
    client.updateToken('new-token');
    await client.reconnect();
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    expect(latest().frames[0]).toEqual({ token: 'new-token', type: 'auth' });
  });
});

describe('agent events', () => {
  it('delivers each event, as sent', async () => {
    const client = createClient();
    const events: unknown[] = [];
    client.on('agent_event', (event) => events.push(event));
    const socket = await connectAndAuth(client);
    socket.simulateMessage(lobehubEvent('stream_chunk', { id: 'evt-1', data: { content: 'hello' } }));
    expect(events).toEqual([
      { data: { content: 'hello' }, operationId: 'op-123', stepIndex: 0, timestamp: 1, type: 'stream_chunk' },
    ]);
  });

  it('resumes from the last id delivered', async () => {
    const client = createClient();
    const socket = await connectAndAuth(client);
    socket.simulateMessage(lobehubEvent('step_start', { id: 'evt-5' }));
    socket.simulateClose();
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1);
    latest().simulateMessage({ type: 'auth_success' });
    expect(latest().frames[1]).toEqual({ lastEventId: 'evt-5', type: 'resume', wantStatus: true });
  });

  it.each(['agent_runtime_end', 'error'])(
    'the operation’s own %s ends the session, without reconnecting',
    async (type) => {
      const client = createClient();
      const complete = vi.fn();
      client.on('session_complete', complete);
      const socket = await connectAndAuth(client);
      socket.simulateMessage(lobehubEvent(type, { data: { stepCount: 3 } }));
      expect(client.connectionStatus).toBe('disconnected');
      expect(complete).not.toHaveBeenCalled(); // as LobeHub's v1 client: only agent_event, then disconnected
      await vi.advanceTimersByTimeAsync(60_000);
      expect(sockets).toHaveLength(1);
    },
  );

  it('an end event without an operationId is the operation’s own (a gateway older than group mirroring)', async () => {
    const client = createClient();
    const socket = await connectAndAuth(client);
    socket.simulateMessage({
      type: 'agent_event',
      event: { data: {}, stepIndex: 0, timestamp: 1, type: 'agent_runtime_end' },
    });
    expect(client.connectionStatus).toBe('disconnected');
  });

  it('a group member’s end is delivered but ends nothing; the operation’s own still does', async () => {
    const client = createClient();
    const events: Array<{ operationId: string }> = [];
    client.on('agent_event', (event) => events.push(event));
    const socket = await connectAndAuth(client);
    socket.simulateMessage(
      lobehubEvent('agent_runtime_end', { operationId: 'op-member-456', data: { reason: 'done' } }),
    );
    expect(events.map((event) => event.operationId)).toEqual(['op-member-456']);
    expect(client.connectionStatus).toBe('connected');
    socket.simulateMessage(lobehubEvent('agent_runtime_end', { stepIndex: 1 }));
    expect(client.connectionStatus).toBe('disconnected');
  });

  it('ignores the session_complete a gateway echoes for a member’s end, until the operation shows it is alive', async () => {
    const client = createClient();
    const complete = vi.fn();
    client.on('session_complete', complete);
    const socket = await connectAndAuth(client);
    socket.simulateMessage(
      lobehubEvent('agent_runtime_end', { operationId: 'op-member-456', data: { reason: 'done' } }),
    );
    socket.simulateMessage({ type: 'session_complete' });
    expect(complete).not.toHaveBeenCalled();
    expect(client.connectionStatus).toBe('connected');
    socket.simulateMessage(
      lobehubEvent('stream_chunk', { data: { chunkType: 'text', content: 'SUP DONE' } }),
    );
    socket.simulateMessage({ type: 'session_complete' });
    expect(complete).toHaveBeenCalledOnce();
    expect(complete).toHaveBeenCalledWith({ source: 'raw_session_complete' });
    expect(client.connectionStatus).toBe('disconnected');
  });

  it('a session_complete long after a member’s end is the session’s own', async () => {
    const client = createClient();
    const socket = await connectAndAuth(client);
    socket.simulateMessage(lobehubEvent('agent_runtime_end', { operationId: 'op-member-456' }));
    await vi.advanceTimersByTimeAsync(5_001);
    socket.simulateMessage({ type: 'session_complete' });
    expect(client.connectionStatus).toBe('disconnected');
  });

  it('session_complete is told with its source and ends the session without reconnecting', async () => {
    const client = createClient();
    const complete = vi.fn();
    client.on('session_complete', complete);
    const socket = await connectAndAuth(client);
    socket.simulateMessage({ type: 'session_complete' });
    expect(complete).toHaveBeenCalledWith({ source: 'raw_session_complete' });
    expect(client.connectionStatus).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(5000);
    expect(client.connectionStatus).toBe('disconnected');
  });
});

describe('resume_complete: the authoritative status', () => {
  it('never completes from silence', async () => {
    const client = createClient({ resumeOnConnect: true });
    const complete = vi.fn();
    client.on('session_complete', complete);
    await connectAndAuth(client);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(complete).not.toHaveBeenCalled();
    expect(client.connectionStatus).toBe('connected');
  });

  it('a running status keeps the session, and live events flow after it', async () => {
    const client = createClient({ resumeOnConnect: true });
    const complete = vi.fn();
    const events = vi.fn();
    client.on('session_complete', complete);
    client.on('agent_event', events);
    const socket = await connectAndAuth(client);
    socket.simulateMessage({ status: 'running', type: 'resume_complete' });
    socket.simulateMessage(lobehubEvent('stream_chunk', { id: 'evt-9', data: { content: 'live' } }));
    expect(events).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(5000);
    expect(complete).not.toHaveBeenCalled();
    expect(client.connectionStatus).toBe('connected');
  });

  it('a terminal status completes, after the replayed events', async () => {
    const client = createClient({ resumeOnConnect: true });
    const order: string[] = [];
    client.on('agent_event', () => order.push('event'));
    client.on('session_complete', (completion) => order.push(JSON.stringify(completion)));
    const socket = await connectAndAuth(client);
    socket.simulateMessage(lobehubEvent('step_start', { id: 'evt-1' }));
    expect(order).toEqual([]); // held: a page reload's replay is delivered once it is whole
    socket.simulateMessage({ status: 'completed', type: 'resume_complete' });
    expect(order).toEqual(['event', '{"source":"resume_status","status":"completed"}']);
    expect(client.connectionStatus).toBe('disconnected');
  });

  it('with resumeOnConnect, the replay is also released after 500 ms of quiet', async () => {
    const client = createClient({ resumeOnConnect: true });
    const events = vi.fn();
    client.on('agent_event', events);
    const socket = await connectAndAuth(client);
    socket.simulateMessage(lobehubEvent('step_start', { id: 'evt-1' }));
    await vi.advanceTimersByTimeAsync(300);
    socket.simulateMessage(lobehubEvent('stream_start', { id: 'evt-2' }));
    await vi.advanceTimersByTimeAsync(499);
    expect(events).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(events).toHaveBeenCalledTimes(2);
  });

  describe('after a member’s end replayed on this link', () => {
    const replay = (socket: LobeHubMockSocket, id: string, operationId: string, type: string, data = {}) =>
      socket.simulateMessage(lobehubEvent(type, { id, operationId, data }));

    it('a terminal status that end explains is the member’s: the supervisor stays', async () => {
      const client = createClient({ resumeOnConnect: true });
      const complete = vi.fn();
      client.on('session_complete', complete);
      const socket = await connectAndAuth(client);
      replay(socket, 'evt-1', 'op-member-456', 'agent_runtime_end', { reason: 'done' });
      replay(socket, 'evt-2', 'op-123', 'step_start');
      socket.simulateMessage({ status: 'completed', type: 'resume_complete' });
      expect(complete).not.toHaveBeenCalled();
      expect(client.connectionStatus).toBe('connected');
      socket.simulateMessage(lobehubEvent('agent_runtime_end', { id: 'evt-3', data: { reason: 'done' } }));
      expect(client.connectionStatus).toBe('disconnected');
    });

    it('a status it cannot explain still completes', async () => {
      const client = createClient({ resumeOnConnect: true });
      const complete = vi.fn();
      client.on('session_complete', complete);
      const socket = await connectAndAuth(client);
      replay(socket, 'evt-1', 'op-member-456', 'agent_runtime_end', { reason: 'done' });
      socket.simulateMessage({ status: 'error', type: 'resume_complete' });
      expect(complete).toHaveBeenCalledWith({ source: 'resume_status', status: 'error' });
    });

    it('a member’s end seen before the link dropped proves nothing about the next replay', async () => {
      const client = createClient({ resumeOnConnect: true });
      const complete = vi.fn();
      client.on('session_complete', complete);
      const socket = await connectAndAuth(client);
      socket.simulateMessage({ status: 'running', type: 'resume_complete' });
      replay(socket, 'evt-1', 'op-member-456', 'agent_runtime_end', { reason: 'done' });
      socket.simulateClose();
      await vi.advanceTimersByTimeAsync(1000);
      await vi.advanceTimersByTimeAsync(1);
      latest().simulateMessage({ type: 'auth_success' });
      latest().simulateMessage({ status: 'completed', type: 'resume_complete' });
      expect(complete).toHaveBeenCalledWith({ source: 'resume_status', status: 'completed' });
    });

    it('nor does it when the gateway says events were lost (gap)', async () => {
      const client = createClient({ resumeOnConnect: true });
      const complete = vi.fn();
      client.on('session_complete', complete);
      const socket = await connectAndAuth(client);
      replay(socket, 'evt-1', 'op-member-456', 'agent_runtime_end', { reason: 'done' });
      socket.simulateMessage({ gap: true, status: 'completed', type: 'resume_complete' });
      expect(complete).toHaveBeenCalledWith({ source: 'resume_status', status: 'completed' });
    });

    it('the supervisor’s own end replayed after the member’s ends the session', async () => {
      const client = createClient({ resumeOnConnect: true });
      const socket = await connectAndAuth(client);
      replay(socket, 'evt-1', 'op-member-456', 'agent_runtime_end', { reason: 'done' });
      replay(socket, 'evt-2', 'op-123', 'agent_runtime_end', { reason: 'done' });
      socket.simulateMessage({ status: 'completed', type: 'resume_complete' });
      expect(client.connectionStatus).toBe('disconnected');
    });
  });
});

describe('heartbeats, as LobeHub counts them', () => {
  it('one every 30 s', async () => {
    const socket = await connectAndAuth(createClient());
    const heartbeats = () => socket.frames.filter((frame) => frame.type === 'heartbeat').length;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(heartbeats()).toBe(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(heartbeats()).toBe(2);
  });

  it('an ack forgives the misses', async () => {
    const client = createClient();
    const socket = await connectAndAuth(client);
    for (let tick = 0; tick < 6; tick++) {
      await vi.advanceTimersByTimeAsync(30_000);
      socket.simulateMessage({ type: 'heartbeat_ack' });
    }
    expect(client.connectionStatus).toBe('connected');
  });

  it('more than 3 unanswered in a row: the link is dead, and the client reconnects', async () => {
    const client = createClient();
    const socket = await connectAndAuth(client);
    await vi.advanceTimersByTimeAsync(3 * 30_000);
    expect(client.connectionStatus).toBe('connected');
    expect(socket.frames.filter((frame) => frame.type === 'heartbeat')).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(client.connectionStatus).toBe('reconnecting');
    expect(socket.frames.filter((frame) => frame.type === 'heartbeat')).toHaveLength(3);
  });
});

describe('reconnecting', () => {
  it('after an unexpected close, in 1 s', async () => {
    const client = createClient();
    const reconnecting = vi.fn();
    client.on('reconnecting', reconnecting);
    const socket = await connectAndAuth(client);
    socket.simulateClose();
    expect(client.connectionStatus).toBe('reconnecting');
    expect(reconnecting).toHaveBeenCalledWith(1000);
  });

  it('never after session_complete or disconnect()', async () => {
    const client = createClient();
    const socket = await connectAndAuth(client);
    socket.simulateMessage({ type: 'session_complete' });
    await vi.advanceTimersByTimeAsync(5000);
    const other = createClient();
    await connectAndAuth(other);
    other.disconnect();
    await vi.advanceTimersByTimeAsync(5000);
    expect(sockets).toHaveLength(2);
    expect([client.connectionStatus, other.connectionStatus]).toEqual(['disconnected', 'disconnected']);
  });

  it('doubles the delay while sockets fail to open, and starts over once one opens', async () => {
    const client = createClient();
    const delays: number[] = [];
    client.on('reconnecting', (delay) => delays.push(delay));
    const socket = await connectAndAuth(client);
    socket.simulateClose();
    await vi.advanceTimersByTimeAsync(1000);
    latest().simulateClose(); // before it opened
    await vi.advanceTimersByTimeAsync(2000);
    latest().simulateClose();
    await vi.advanceTimersByTimeAsync(4000);
    await vi.advanceTimersByTimeAsync(1); // this one opens: the backoff starts over
    latest().simulateClose();
    expect(delays).toEqual([1000, 2000, 4000, 1000]);
  });

  it('keeps trying with no attempt limit, capped at 30 s', async () => {
    const client = createClient();
    const delays: number[] = [];
    client.on('reconnecting', (delay) => delays.push(delay));
    (await connectAndAuth(client)).simulateClose();
    for (let attempt = 0; attempt < 14; attempt++) {
      await vi.advanceTimersByTimeAsync(delays.at(-1) as number);
      latest().simulateClose();
    }
    expect(delays.slice(-3)).toEqual([30_000, 30_000, 30_000]);
    expect(client.connectionStatus).toBe('reconnecting');
  });

  it('not at all with autoReconnect off', async () => {
    const client = createClient({ autoReconnect: false });
    const socket = await connectAndAuth(client);
    socket.simulateClose();
    expect(client.connectionStatus).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(5000);
    expect(sockets).toHaveLength(1);
  });

  it('uses the token given by updateToken', async () => {
    const client = createClient();
    const socket = await connectAndAuth(client);
    client.updateToken('new-token');
    socket.simulateClose();
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1);
    expect(latest().frames[0]).toEqual({ token: 'new-token', type: 'auth' });
  });
});

describe('sendToolResult', () => {
  it('writes a tool_result, field for field, and says it did', async () => {
    const client = createClient();
    const socket = await connectAndAuth(client);
    expect(
      client.sendToolResult({ content: '{"files":["a.txt"]}', success: true, toolCallId: 'call_1' }),
    ).toBe(true);
    expect(socket.sent.at(-1)).toBe(
      '{"content":"{\\"files\\":[\\"a.txt\\"]}","success":true,"toolCallId":"call_1","type":"tool_result"}',
    );
  });

  it('writes an error result with its nested error whole', async () => {
    const client = createClient();
    const socket = await connectAndAuth(client);
    client.sendToolResult({
      content: null,
      error: { message: 'ipc failed', type: 'ipc_error' },
      success: false,
      toolCallId: 'call_2',
    });
    expect(socket.frames.at(-1)).toEqual({
      content: null,
      error: { message: 'ipc failed', type: 'ipc_error' },
      success: false,
      toolCallId: 'call_2',
      type: 'tool_result',
    });
  });

  it('returns false, and writes nothing later, when no socket is live', async () => {
    const client = createClient();
    expect(client.sendToolResult({ content: null, success: false, toolCallId: 'call_3' })).toBe(false);
    await connectAndAuth(client);
    expect(latest().frames.map((frame) => frame.type)).toEqual(['auth', 'resume']);
  });

  it('writes no heartbeat after it: LobeHub’s gateway gets heartbeats at the interval only', async () => {
    const client = createClient();
    const socket = await connectAndAuth(client);
    client.sendToolResult({ content: 'ok', success: true, toolCallId: 'call_4' });
    expect(socket.frames.map((frame) => frame.type)).toEqual(['auth', 'resume', 'tool_result']);
  });
});

describe('disconnect', () => {
  it('stops every timer', async () => {
    const client = createClient();
    const socket = await connectAndAuth(client);
    client.disconnect();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(client.connectionStatus).toBe('disconnected');
    expect(socket.frames.map((frame) => frame.type)).toEqual(['auth', 'resume']);
  });

  it('tells disconnected even when already disconnected, as LobeHub’s client', () => {
    const client = createClient();
    const disconnected = vi.fn();
    client.on('disconnected', disconnected);
    client.disconnect();
    expect(disconnected).toHaveBeenCalledOnce();
  });
});
