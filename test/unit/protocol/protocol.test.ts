import { FrameError, isKnownAgentEvent } from 'agent-gateway-client';
import { encodeClientFrame } from '../../../src/protocol/encode.js';
import { decodeServerFrame, type FrameLimits, parseServerFrame } from '../../../src/protocol/parse.js';
import { describe, expect, it } from 'vitest';

const valid = {
  auth_success: { type: 'auth_success' },
  auth_failed: { type: 'auth_failed', reason: 'bad token' },
  auth_expired: { type: 'auth_expired' },
  heartbeat_ack: { type: 'heartbeat_ack' },
  agent_event: { type: 'agent_event', id: 'e1', event: { kind: 'text_delta', content: 'hi' } },
  status_change: { type: 'status_change', id: 'e2', status: 'waiting_input' },
  tool_confirmation_request: {
    type: 'tool_confirmation_request',
    id: 'e3',
    toolCallId: 'c1',
    tool: { apiName: 'search', arguments: '{}', identifier: 'search-1', name: 'Search' },
  },
  input_request: { type: 'input_request', id: 'e4', requestId: 'r1', prompt: 'Which city?' },
  session_complete: { type: 'session_complete', id: 'e5', summary: 'done' },
  error: { type: 'error', id: 'e6', code: 'tool_failed', message: 'The tool failed' },
  resume_complete: { type: 'resume_complete', status: 'running' },
};

describe('parseServerFrame', () => {
  it.each(Object.entries(valid))('accepts a valid %s frame as a typed message', (_, frame) => {
    const result = parseServerFrame(JSON.stringify(frame));
    expect(result).toEqual({ ok: true, message: frame });
  });

  it.each([
    ['text_delta', { kind: 'text_delta', content: 'x' }],
    ['thinking', { kind: 'thinking', content: 'x' }],
    ['tool_call_start', { kind: 'tool_call_start', toolCallId: 'c', name: 'n', arguments: '' }],
    ['tool_call_delta', { kind: 'tool_call_delta', toolCallId: 'c', arguments: '{"a"' }],
    ['tool_call_end', { kind: 'tool_call_end', toolCallId: 'c' }],
    ['tool_result', { kind: 'tool_result', toolCallId: 'c', result: '{"rows":[1,2]}' }],
    ['step_complete', { kind: 'step_complete', stepIndex: 2 }],
    ['message_complete', { kind: 'message_complete', messageId: 'm1' }],
    ['an unknown kind (forward compatibility)', { kind: 'citation', url: 'https://x' }],
    [
      'none, a LobeHub type instead (delivered as it is)',
      {
        type: 'stream_chunk',
        data: { chunkType: 'text', content: 'x' },
        operationId: 'op',
        stepIndex: 0,
        timestamp: 1,
      },
    ],
  ])('accepts agent events of kind %s', (_, event) => {
    const result = parseServerFrame(JSON.stringify({ type: 'agent_event', id: 'e1', event }));
    expect(result.ok).toBe(true);
  });

  it.each([
    ['not JSON', '{"type":', 'notJson'],
    ['a JSON array', '[1,2]', 'notObject'],
    ['a JSON string', '"auth_success"', 'notObject'],
    ['null', 'null', 'notObject'],
    ['an unknown type', '{"type":"surprise"}', 'unknownType'],
    ['a missing type', '{"id":"1"}', 'unknownType'],
    ['type "__proto__"', '{"type":"__proto__"}', 'unknownType'],
    ['type "constructor"', '{"type":"constructor"}', 'unknownType'],
    ['type "toString"', '{"type":"toString"}', 'unknownType'],
    [
      'agent_event without id',
      '{"type":"agent_event","event":{"kind":"text_delta","content":"x"}}',
      'invalidField',
    ],
    [
      'agent_event with an empty id',
      '{"type":"agent_event","id":"","event":{"kind":"thinking","content":"x"}}',
      'invalidField',
    ],
    [
      'agent_event with a numeric id',
      '{"type":"agent_event","id":7,"event":{"kind":"thinking","content":"x"}}',
      'invalidField',
    ],
    [
      'text_delta with numeric content',
      '{"type":"agent_event","id":"1","event":{"kind":"text_delta","content":1}}',
      'invalidField',
    ],
    ['agent_event whose event has no type', '{"type":"agent_event","id":"1","event":{}}', 'invalidField'],
    [
      'agent event kind "__proto__" with bad fields',
      '{"type":"agent_event","id":"1","event":"x"}',
      'invalidField',
    ],
    [
      'status_change with an unknown status',
      '{"type":"status_change","id":"1","status":"sleeping"}',
      'invalidField',
    ],
    ['auth_failed without reason', '{"type":"auth_failed"}', 'invalidField'],
    ['resume_complete without status', '{"type":"resume_complete"}', 'invalidField'],
    [
      'tool_confirmation_request without tool',
      '{"type":"tool_confirmation_request","id":"1","toolCallId":"c"}',
      'invalidField',
    ],
    ['input_request without prompt', '{"type":"input_request","id":"1","requestId":"r"}', 'invalidField'],
    [
      'session_complete with a numeric summary',
      '{"type":"session_complete","id":"1","summary":3}',
      'invalidField',
    ],
    ['error without message', '{"type":"error","id":"1","code":"x"}', 'invalidField'],
  ])('refuses %s with a typed error, without throwing', (_, raw, kind) => {
    const result = parseServerFrame(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(FrameError);
    expect(result.error.kind).toBe(kind);
    expect(result.error.preview).toBe(raw.slice(0, 120));
  });

  it.each([
    ['{"type":"auth_success","capabilities":"command_id"}', 'auth_success', 'capabilities'],
    ['{"type":"auth_failed","reason":1}', 'auth_failed', 'reason'],
    ['{"type":"resume_complete","status":"sleeping"}', 'resume_complete', 'status'],
    ['{"type":"resume_complete","status":"running","recovered":"no"}', 'resume_complete', 'recovered'],
    ['{"type":"agent_event","id":"","event":{"kind":"text_delta","content":"x"}}', 'agent_event', 'id'],
    ['{"type":"agent_event","id":"1","event":[]}', 'agent_event', 'event'],
    ['{"type":"agent_event","id":"1","event":{"kind":7}}', 'agent_event', 'event.kind/type'],
    ['{"type":"agent_event","id":"1","event":{"content":"x"}}', 'agent_event', 'event.kind/type'],
    ['{"type":"resume_complete","status":"running","gap":"yes"}', 'resume_complete', 'gap'],
    ['{"type":"agent_event","id":"1","event":{"kind":"text_delta"}}', 'agent_event', 'event.content'],
    ['{"type":"agent_event","id":"1","event":{"kind":"thinking"}}', 'agent_event', 'event.content'],
    [
      '{"type":"agent_event","id":"1","event":{"kind":"tool_call_start","toolCallId":"c","name":"n"}}',
      'agent_event',
      'event.toolCallId/name/arguments',
    ],
    [
      '{"type":"agent_event","id":"1","event":{"kind":"tool_call_delta","toolCallId":"c"}}',
      'agent_event',
      'event.toolCallId/arguments',
    ],
    ['{"type":"agent_event","id":"1","event":{"kind":"tool_call_end"}}', 'agent_event', 'event.toolCallId'],
    [
      '{"type":"agent_event","id":"1","event":{"kind":"tool_result","toolCallId":"c"}}',
      'agent_event',
      'event.toolCallId/result',
    ],
    [
      '{"type":"agent_event","id":"1","event":{"kind":"step_complete","stepIndex":1.5}}',
      'agent_event',
      'event.stepIndex',
    ],
    ['{"type":"agent_event","id":"1","event":{"kind":"message_complete"}}', 'agent_event', 'event.messageId'],
    ['{"type":"status_change","status":"running"}', 'status_change', 'id'],
    ['{"type":"status_change","id":"1","status":"sleeping"}', 'status_change', 'status'],
    ['{"type":"tool_confirmation_request","id":"1","tool":{}}', 'tool_confirmation_request', 'toolCallId'],
    [
      '{"type":"tool_confirmation_request","id":"1","toolCallId":"c","tool":[]}',
      'tool_confirmation_request',
      'tool',
    ],
    [
      '{"type":"tool_confirmation_request","id":"1","toolCallId":"c","tool":{"apiName":"a","arguments":"{}","identifier":"i"}}',
      'tool_confirmation_request',
      'tool',
    ],
    ['{"type":"input_request","id":"1","prompt":"p"}', 'input_request', 'requestId'],
    ['{"type":"input_request","id":"1","requestId":"r"}', 'input_request', 'prompt'],
    ['{"type":"session_complete","id":"1","summary":3}', 'session_complete', 'summary'],
    ['{"type":"error","id":"1","message":"m"}', 'error', 'code'],
    ['{"type":"error","id":"1","code":"x"}', 'error', 'message'],
  ])('names the bad field in the error message: %s', (raw, type, field) => {
    const result = parseServerFrame(raw);
    expect(result.ok === false && result.error.message).toBe(
      `Frame "${type}" has a missing or mistyped ${field}`,
    );
  });

  it.each([
    ['not JSON', '{"type":', 'Frame is not valid JSON'],
    ['not an object', '[1]', 'Frame is not a JSON object'],
    ['of an unknown type', '{"type":"surprise"}', 'Unknown frame type "surprise"'],
    ['without a type', '{}', 'Unknown frame type undefined'],
  ])('says why a frame %s is refused', (_, raw, message) => {
    const result = parseServerFrame(raw);
    expect(result.ok === false && result.error.message).toBe(message);
  });

  it('refuses binary frames', () => {
    const result = parseServerFrame(new ArrayBuffer(4));
    expect(result.ok === false && result.error.kind).toBe('binary');
    expect(result.ok === false && result.error.message).toBe('Binary frames are not part of the protocol');
  });

  it('keeps only a short preview of a huge frame', () => {
    const result = parseServerFrame(`{"type":"x","pad":"${'a'.repeat(100_000)}"}`);
    expect(result.ok === false && result.error.preview.length).toBe(120);
  });
});

describe('frame limits', () => {
  /** The kind of the refusal of `raw` within `limits`, or `accepted`. */
  const verdict = (raw: string, limits: FrameLimits) => {
    let kind = 'accepted';
    decodeServerFrame(raw, (error) => (kind = error.kind), limits);
    return kind;
  };
  const event = (content: unknown) =>
    JSON.stringify({ type: 'agent_event', id: 'e', event: { kind: 'x', content } });
  const nested = (levels: number): unknown => (levels === 0 ? 'leaf' : [nested(levels - 1)]);

  it('by default takes 100 levels (the frame and its event are two) and refuses 101', () => {
    expect(parseServerFrame(event(nested(98))).ok).toBe(true);
    const refused = parseServerFrame(event(nested(99)));
    expect(refused.ok ? undefined : refused.error.kind).toBe('tooDeep');
  });

  it('counts UTF-8 bytes exactly at the limit: one, two, three and four-byte characters', () => {
    for (const [char, bytes] of [
      ['a', 1],
      ['é', 2],
      ['€', 3],
      ['😀', 4],
    ] as const) {
      const raw = event(char.repeat(40));
      expect(Buffer.byteLength(raw)).toBe(raw.length + 40 * (bytes - char.length));
      const limits = (maxBytes: number) => ({ maxBytes, maxDepth: 100 });
      expect(verdict(raw, limits(Buffer.byteLength(raw))), char).toBe('accepted');
      expect(verdict(raw, limits(Buffer.byteLength(raw) - 1)), char).toBe('tooLarge');
    }
  });

  it('refuses by size before parsing: an oversized frame that is not JSON is tooLarge, not notJson', () => {
    expect(verdict(`{${'x'.repeat(300)}`, { maxBytes: 100, maxDepth: 100 })).toBe('tooLarge');
  });
});

describe('isKnownAgentEvent', () => {
  it('tells the kinds this protocol version defines from newer ones', () => {
    expect(isKnownAgentEvent({ kind: 'text_delta' })).toBe(true);
    expect(isKnownAgentEvent({ kind: 'tool_result' })).toBe(true);
    expect(isKnownAgentEvent({ kind: 'citation' })).toBe(false);
  });
});

describe('encodeClientFrame', () => {
  it('writes keys in alphabetical order', () => {
    expect(encodeClientFrame({ type: 'auth', token: 't' })).toBe('{"token":"t","type":"auth"}');
    expect(encodeClientFrame({ type: 'resume', lastEventId: '', wantStatus: true })).toBe(
      '{"lastEventId":"","type":"resume","wantStatus":true}',
    );
    expect(
      encodeClientFrame({ type: 'tool_confirmation', toolCallId: 'c1', approved: false, commandId: 'x-1' }),
    ).toBe('{"approved":false,"commandId":"x-1","toolCallId":"c1","type":"tool_confirmation"}');
    expect(encodeClientFrame({ type: 'user_input', requestId: 'r', content: 'Paris' })).toBe(
      '{"content":"Paris","requestId":"r","type":"user_input"}',
    );
    expect(encodeClientFrame({ type: 'heartbeat' })).toBe('{"type":"heartbeat"}');
  });
});
