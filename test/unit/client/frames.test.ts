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
