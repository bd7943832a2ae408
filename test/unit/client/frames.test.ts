import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, textDelta } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('malformed and unknown frames', () => {
  it('are logged with the documented prefix (then at most one line per 5 s), counted, reported, and change neither link state nor lastEventId', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    socket.receive(textDelta('good-1'));
    const replayBefore = (h.client.getSnapshot().state as { link: { connected: { replay: string } } }).link
      .connected.replay;
    const garbage = [
      'not json at all',
      '[]',
      '{"type":"mystery","id":"evil-1"}',
      '{"type":"agent_event","id":"evil-2"}',
      '{"type":"agent_event","id":"evil-3","event":{"kind":"text_delta","content":5}}',
      '{"type":"status_change","id":"evil-4","status":"nap"}',
      '{"type":"session_complete","id":42}',
      '{"type":"auth_failed"}',
    ];
    for (const frame of garbage) socket.receive(frame);
    expect(h.logger.warn).toHaveBeenCalledTimes(1);
    expect(h.logger.warn.mock.calls[0]?.[0]).toBe('[AgentGatewayClient] Failed to parse message:');
    expect(h.logger.warn.mock.calls[0]?.[1]).toMatchObject({ name: 'FrameError', kind: 'notJson' });
    expect(h.client.stats.malformedFrames).toBe(garbage.length);
    expect(h.argsOf('error')).toHaveLength(garbage.length);
    expect(h.client.lastEventId).toBe('good-1');
    vi.advanceTimersByTime(5_000);
    socket.receive(textDelta('good-1b'));
    socket.receive('{"type":"agent_event"}');
    expect(h.logger.warn).toHaveBeenCalledTimes(2);
    expect(h.logger.warn.mock.calls[1]?.[0]).toBe(
      `[AgentGatewayClient] Failed to parse message (${garbage.length - 1} more not logged since the last):`,
    );
    expect(h.client.getSnapshot().state).toMatchObject({ link: { connected: { replay: replayBefore } } });
    expect(h.client.connectionStatus).toBe('connected');
    socket.receive(textDelta('good-2'));
    expect(h.argsOf('agent_event')).toHaveLength(3);
  });

  it('refuses a frame over maxFrameBytes or nested deeper than maxFrameDepth, counted as malformed; the next frame is delivered', () => {
    const h = createHarness({ maxFrameBytes: 200, maxFrameDepth: 4 });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    const withEvent = (extra: string) =>
      `{"type":"agent_event","id":"x","event":{"kind":"citation","pad":"${' '.repeat(80)}","more":${extra}}}`;
    // Three levels for the frame, its event and `more`, then the rest: 4 are taken, 5 are not.
    socket.receive(withEvent('{"b":{}}'));
    socket.receive(withEvent('{"b":{"c":[]}}'));
    // Under 200 characters, over 200 bytes in UTF-8 (é is two bytes); then over 200 characters.
    const accented = JSON.stringify({
      type: 'agent_event',
      id: 'y',
      event: { kind: 'text_delta', content: 'é'.repeat(100) },
    });
    expect(accented.length).toBeLessThan(200);
    socket.receive(accented);
    socket.receive(
      JSON.stringify({
        type: 'agent_event',
        id: 'z',
        event: { kind: 'text_delta', content: 'e'.repeat(300) },
      }),
    );
    const errors = h.argsOf('error').map(([error]) => error as { kind: string; message: string });
    expect(errors.map(({ kind }) => kind)).toEqual(['tooDeep', 'tooLarge', 'tooLarge']);
    expect(errors[0]?.message).toBe('Frame nests deeper than 4 levels');
    expect(errors[1]?.message).toBe(`Frame is over 200 bytes (at least ${Buffer.byteLength(accented)})`);
    expect(h.client.stats.malformedFrames).toBe(3);
    socket.receive(textDelta('after'));
    expect(h.argsOf('agent_event').map(([message]) => (message as { id: string }).id)).toEqual([
      'x',
      'after',
    ]);
    expect(h.client.connectionStatus).toBe('connected');
  });

  it('refuses frame limits that are not whole numbers ≥ 1, or a depth over 1,000', () => {
    for (const bad of [0, -1, 1.5, Number.NaN])
      expect(() => createHarness({ maxFrameBytes: bad })).toThrow(/maxFrameBytes must be a whole number ≥ 1/);
    for (const bad of [0, 1_001, 2.5])
      expect(() => createHarness({ maxFrameDepth: bad })).toThrow(
        /maxFrameDepth must be a whole number from 1 to 1000/,
      );
    expect(() => createHarness({ maxFrameDepth: 1_000, maxFrameBytes: 2 ** 40 })).not.toThrow();
  });

  it('delivers agent events of an unknown kind as they are', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const frame = { type: 'agent_event', id: 'e1', event: { kind: 'citation', url: 'https://example.com' } };
    h.authenticate().receive(frame);
    expect(h.argsOf('agent_event')).toEqual([[frame]]);
  });

  it('routes each session frame to its event with its payload', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const socket = h.authenticate();
    const request = {
      type: 'tool_confirmation_request',
      id: '1',
      toolCallId: 'c1',
      tool: { apiName: 'search', arguments: '{"q":"x"}', identifier: 'search', name: 'Search' },
    };
    const input = { type: 'input_request', id: '2', requestId: 'r1', prompt: 'City?' };
    const status = { type: 'status_change', id: '3', status: 'waiting_input' };
    const serverError = { type: 'error', id: '4', code: 'tool_failed', message: 'Search is down' };
    for (const frame of [request, input, status, serverError]) socket.receive(frame);
    expect(h.argsOf('tool_confirmation_request')).toEqual([[request]]);
    expect(h.argsOf('input_request')).toEqual([[input]]);
    expect(h.argsOf('status_update')).toEqual([[status]]);
    expect(h.argsOf('session_status')).toEqual([['waiting_input']]);
    const [error] = h.argsOf('error')[0] as [Error & { kind: string; details: object }];
    expect(error).toMatchObject({
      kind: 'session',
      message: 'Search is down',
      details: { code: 'tool_failed', eventId: '4' },
    });
    expect(h.client.lastEventId).toBe('4');
  });
});
