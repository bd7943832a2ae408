import {
  checkAgentEvent,
  checkFrame,
  DEFAULT_FRAME_LIMITS,
  decodeObject,
  type FieldCheck,
  type FrameError,
  type FrameLimits,
  messageCheck,
} from '../protocol/parse.js';
import type { ServerMessage } from '../protocol/types.js';

/** An id LobeHub's gateways may leave out: when present, a non-empty string. */
const optionalId = (frame: Record<string, unknown>) =>
  frame.id === undefined || (typeof frame.id === 'string' && frame.id.length > 0) ? undefined : 'id';

// Where LobeHub's v1 frames differ from the original's: ids may be absent, agent events are
// `{type, data, operationId, stepIndex, timestamp}`.
const lobehubChecks = new Map<string, FieldCheck>([
  ['agent_event', (f) => optionalId(f) ?? checkAgentEvent(f.event)],
  [
    'session_complete',
    (f) =>
      optionalId(f) ?? (f.summary === undefined || typeof f.summary === 'string' ? undefined : 'summary'),
  ],
]);

/**
 * Validates one frame from a LobeHub v1 gateway: the typed message, or `undefined` after telling
 * `refused` why not. Never throws. An event of a type this version does not know is delivered as it is.
 */
export function decodeLobeHubFrame(
  raw: unknown,
  refused: (error: FrameError) => void,
  limits: FrameLimits = DEFAULT_FRAME_LIMITS,
): ServerMessage | undefined {
  const frame = decodeObject(raw, refused, limits);
  if (frame === undefined) return undefined;
  const type = frame.type;
  const check = (typeof type === 'string' ? lobehubChecks.get(type) : undefined) ?? messageCheck(type);
  return checkFrame(frame, check, raw as string, refused);
}
