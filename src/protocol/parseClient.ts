import { FrameError } from './parse.js';
import type { ClientFrame } from './types.js';

/** Result of {@link parseClientFrame}: a typed client frame or a typed error, never an exception. */
export type ClientParseResult = { ok: true; frame: ClientFrame } | { ok: false; error: FrameError };

type Fields = Record<string, unknown>;
const isString = (value: unknown): value is string => typeof value === 'string';
const optionalString = (value: unknown) => value === undefined || isString(value);

// A Map, not an object literal: a frame typed "__proto__" must not reach Object.prototype.
const frameChecks = new Map<string, (frame: Fields) => boolean>([
  ['auth', (f) => isString(f.token)],
  ['heartbeat', () => true],
  [
    'resume',
    (f) => isString(f.lastEventId) && (f.wantStatus === undefined || typeof f.wantStatus === 'boolean'),
  ],
  ['interrupt', (f) => optionalString(f.commandId)],
  [
    'tool_confirmation',
    (f) => isString(f.toolCallId) && typeof f.approved === 'boolean' && optionalString(f.commandId),
  ],
  ['user_input', (f) => isString(f.requestId) && isString(f.content) && optionalString(f.commandId)],
  [
    'tool_result',
    (f) =>
      isString(f.toolCallId) &&
      (f.content === null || isString(f.content)) &&
      typeof f.success === 'boolean' &&
      (f.error === undefined ||
        (typeof f.error === 'object' && f.error !== null && isString((f.error as Fields).message))) &&
      optionalString(f.commandId),
  ],
]);

/**
 * Validates one frame a client sent (the gateway's side of docs/protocol.md). Never throws.
 *
 * @example
 * const result = parseClientFrame(text);
 * if (!result.ok) socket.close(4400, 'Malformed frame');
 */
export function parseClientFrame(raw: string): ClientParseResult {
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return { ok: false, error: new FrameError('notJson', 'Frame is not valid JSON', raw.slice(0, 120)) };
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    return { ok: false, error: new FrameError('notObject', 'Frame is not a JSON object', raw.slice(0, 120)) };
  }
  const type = (frame as Fields).type;
  const check = isString(type) ? frameChecks.get(type) : undefined;
  if (check === undefined) {
    return {
      ok: false,
      error: new FrameError('unknownType', `Unknown frame type ${JSON.stringify(type)}`, raw.slice(0, 120)),
    };
  }
  if (!check(frame as Fields)) {
    return {
      ok: false,
      error: new FrameError(
        'invalidField',
        `Frame "${type}" has missing or mistyped fields`,
        raw.slice(0, 120),
      ),
    };
  }
  return { ok: true, frame: frame as ClientFrame };
}
