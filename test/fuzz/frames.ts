import { SESSION_STATUSES, TERMINAL_SESSION_STATUSES } from '../../src/protocol/types.js';
import fc from 'fast-check';

/**
 * How a frame's id is chosen when the frame is sent: the next id of the run, one further ahead (out
 * of order; the counter reaches it later, which makes a duplicate), one sent earlier (a duplicate),
 * or an odd but valid string.
 */
export type IdSpec =
  { id: 'next' } | { id: 'ahead'; by: number } | { id: 'again'; back: number } | { id: 'odd'; value: string };

/** A server frame in the fuzz script: plain data, so fast-check can print and shrink it. */
export type FrameSpec =
  /** A valid server message; id-bearing types get their id from `id`. */
  | { frame: 'valid'; body: Record<string, unknown>; id?: IdSpec }
  /** A `heartbeat_ack`: answers the oldest unanswered heartbeat (or is sent anyway in stray-ack runs). */
  | { frame: 'ack' }
  /** Not a valid server message, by construction. */
  | { frame: 'malformed'; raw: string }
  /** A valid id-bearing frame cut short (a proper prefix of a JSON object is never valid JSON). */
  | { frame: 'truncated'; body: Record<string, unknown>; keep: number }
  /** The `back`-th most recent id-bearing frame of the run, sent again as it was. */
  | { frame: 'replay'; back: number };

/** `auth_success` as the reference gateway sends it: every extension announced. */
export const REFERENCE_AUTH_SUCCESS = {
  type: 'auth_success',
  capabilities: ['command_id', 'resume_complete', 'auth_expired'],
};

const text = fc.constantFrom('', 'Hello', ' world', 'ü ñ 日本', '"quoted"', '\n', '__proto__', '{}');
const statusArb = fc.constantFrom(...SESSION_STATUSES);
const ONGOING_STATUSES = SESSION_STATUSES.filter((status) => !TERMINAL_SESSION_STATUSES.includes(status));
const callId = fc.constantFrom('call-1', 'call-2', '__proto__');

const knownAgentEvent = fc.oneof(
  { weight: 6, arbitrary: text.map((content) => ({ kind: 'text_delta', content })) },
  { weight: 2, arbitrary: text.map((content) => ({ kind: 'thinking', content })) },
  callId.map((toolCallId) => ({ kind: 'tool_call_start', toolCallId, name: 'search', arguments: '' })),
  callId.map((toolCallId) => ({ kind: 'tool_call_delta', toolCallId, arguments: '{"q":' })),
  callId.map((toolCallId) => ({ kind: 'tool_call_end', toolCallId })),
  callId.map((toolCallId) => ({ kind: 'tool_result', toolCallId, result: '{"ok":true,"rows":[1,2]}' })),
  fc.nat(5).map((stepIndex) => ({ kind: 'step_complete', stepIndex })),
  fc.constantFrom('m-1', 'm-2').map((messageId) => ({ kind: 'message_complete', messageId })),
);

// Kinds this client does not know: delivered as they are (forward compatibility).
const unknownAgentEvent = fc.constantFrom(
  { kind: 'future_kind', payload: { nested: [1, 'two'] } },
  { kind: '__proto__' },
  { kind: 'constructor', content: 'x' },
  { kind: 'text_delta_v2', content: 3 },
);

/** Id-bearing message bodies (without the id), apart from `session_complete`. */
const idBearing = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .oneof({ weight: 6, arbitrary: knownAgentEvent }, { weight: 1, arbitrary: unknownAgentEvent })
      .map((event) => ({ type: 'agent_event', event })),
  },
  { weight: 2, arbitrary: statusArb.map((status) => ({ type: 'status_change', status })) },
  {
    weight: 1,
    arbitrary: callId.map((toolCallId) => ({
      type: 'tool_confirmation_request',
      toolCallId,
      tool: { apiName: 'web.search', arguments: '{"q":"x"}', identifier: 'web', name: 'Search' },
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('req-1', 'req-2')
      .map((requestId) => ({ type: 'input_request', requestId, prompt: 'City?' })),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'error', code: 'tool_failed', message: 'The tool failed' }) },
);

const idSpec: fc.Arbitrary<IdSpec> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ id: 'next' as const }) },
  { weight: 2, arbitrary: fc.nat(4).map((by) => ({ id: 'ahead' as const, by })) },
  { weight: 2, arbitrary: fc.nat(8).map((back) => ({ id: 'again' as const, back })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('__proto__', 'constructor', 'toString', '0', 'ü ñ', ' ', 'e1')
      .map((value) => ({ id: 'odd' as const, value })),
  },
);

/** `session_complete`, which ends the session. */
const sessionComplete = fc
  .option(text, { nil: undefined })
  .map((summary) =>
    summary === undefined ? { type: 'session_complete' } : { type: 'session_complete', summary },
  );

/** Link frames (no id). */
const linkFrame = fc.oneof(
  // The reference gateway's answer: the original dialect (frames held until the replay's end) has its
  // own tests; the invariants here assume every valid frame is delivered the moment it arrives.
  { weight: 4, arbitrary: fc.constant(REFERENCE_AUTH_SUCCESS) },
  { weight: 3, arbitrary: fc.constant({ type: 'auth_expired' }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(...ONGOING_STATUSES).map((status) => ({ type: 'resume_complete', status })),
  },
);

/** Link frames that end the session: kept rare so that sessions last. */
const endingLinkFrame = fc.oneof(
  fc.constant({ type: 'auth_failed', reason: 'Unknown session' }),
  fc.constantFrom(...TERMINAL_SESSION_STATUSES).map((status) => ({ type: 'resume_complete', status })),
);

/** Frames that are not valid server messages; the ones with an id use `bad-*` ids. */
export const MALFORMED_FRAMES: readonly string[] = [
  'not json',
  '{',
  '',
  'null',
  '42',
  'true',
  '"auth_success"',
  '[]',
  '[{"type":"auth_success"}]',
  '{}',
  '{"type":null}',
  '{"type":["auth_success"]}',
  '{"type":"AUTH_SUCCESS"}',
  '{"type":"bogus","id":"bad-0"}',
  '{"type":"__proto__"}',
  '{"type":"constructor","id":"bad-1"}',
  '{"type":"toString"}',
  '{"type":"hasOwnProperty"}',
  '{"__proto__":{"type":"auth_success"}}',
  '{"__proto__":{"type":"session_complete","id":"bad-2"}}',
  '{"type":"agent_event","id":7,"event":{"kind":"text_delta","content":"x"}}',
  '{"type":"agent_event","id":"","event":{"kind":"text_delta","content":"x"}}',
  '{"type":"agent_event","id":"bad-3"}',
  '{"type":"agent_event","id":"bad-4","event":{"kind":"text_delta","content":7}}',
  '{"type":"agent_event","id":"bad-5","event":"text_delta"}',
  '{"type":"agent_event","id":"bad-6","event":{"kind":"step_complete","stepIndex":1.5}}',
  '{"type":"agent_event","id":"bad-7","event":{"kind":"tool_result","toolCallId":"c"}}',
  '{"type":"agent_event","id":"bad-8","event":{"kind":7}}',
  // Neither the original's `kind` nor LobeHub's `type`.
  '{"type":"agent_event","id":"bad-8a","event":{"content":"no kind nor type"}}',
  '{"type":"agent_event","id":"bad-8c","event":{"type":7,"content":"a type that is not a string"}}',
  '{"type":"agent_event","id":"bad-8b","event":{"kind":"tool_result","toolCallId":"c","result":{"ok":true}}}',
  '{"type":"auth_success","capabilities":"command_id"}',
  '{"type":"agent_event","id":"bad-9","event":null}',
  '{"type":"agent_event","id":"bad-10","event":{"__proto__":{"kind":"text_delta"},"content":"x"}}',
  '{"type":"status_change","id":"bad-11","status":"done"}',
  '{"type":"status_change","id":"bad-12","status":"__proto__"}',
  '{"type":"status_change","id":"bad-13"}',
  '{"type":"tool_confirmation_request","id":"bad-14","toolCallId":"c"}',
  '{"type":"tool_confirmation_request","id":"bad-15","toolCallId":"c","tool":{"name":"x"}}',
  '{"type":"input_request","id":"bad-16","requestId":"r","prompt":5}',
  '{"type":"session_complete","id":"bad-17","summary":5}',
  '{"type":"session_complete"}',
  '{"type":"session_complete","id":null}',
  '{"type":"error","id":"bad-18","code":500,"message":"x"}',
  '{"type":"auth_failed"}',
  '{"type":"auth_failed","reason":null}',
  '{"type":"resume_complete","status":"finished"}',
  '{"type":"resume_complete"}',
  '{"type":"heartbeat_ack"',
];

const malformed: fc.Arbitrary<FrameSpec> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(...MALFORMED_FRAMES).map((raw) => ({ frame: 'malformed' as const, raw })),
  },
  // '#' can start no JSON text.
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 12 }).map((s) => ({ frame: 'malformed' as const, raw: `#${s}` })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(idBearing, fc.nat())
      .map(([body, keep]) => ({ frame: 'truncated' as const, body, keep })),
  },
);

/** Any server frame of the script, weighted towards the data frames a live session is made of. */
export const frameSpec: fc.Arbitrary<FrameSpec> = fc.oneof(
  {
    weight: 60,
    arbitrary: fc.tuple(idBearing, idSpec).map(([body, id]) => ({ frame: 'valid' as const, body, id })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(sessionComplete, idSpec).map(([body, id]) => ({ frame: 'valid' as const, body, id })),
  },
  { weight: 11, arbitrary: linkFrame.map((body) => ({ frame: 'valid' as const, body })) },
  { weight: 1, arbitrary: endingLinkFrame.map((body) => ({ frame: 'valid' as const, body })) },
  { weight: 10, arbitrary: fc.constant({ frame: 'ack' as const }) },
  { weight: 12, arbitrary: malformed },
  { weight: 6, arbitrary: fc.nat(12).map((back) => ({ frame: 'replay' as const, back })) },
);
