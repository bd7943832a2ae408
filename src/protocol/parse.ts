import {
  type AgentStreamEvent,
  SESSION_STATUSES,
  type ServerMessage,
  type SessionStatus,
  type ToolDescriptor,
} from './types.js';

/** Why a frame was refused: every refusal has one of these kinds. */
export type FrameErrorKind =
  'binary' | 'tooLarge' | 'notJson' | 'tooDeep' | 'notObject' | 'unknownType' | 'invalidField';

/** A frame that is not a valid server message. Carries a short preview of the frame, never all of it. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(
    /** What is wrong with the frame. */
    readonly kind: FrameErrorKind,
    message: string,
    /** The first 120 characters of the frame, for diagnosis. */
    readonly preview: string,
  ) {
    super(message);
  }
}

/** How large and how deep a frame may be: past either it is refused before any listener sees it. */
export interface FrameLimits {
  /** Largest frame, in UTF-8 bytes. Default 1 MiB. */
  readonly maxBytes: number;
  /** Deepest nesting of objects and arrays, the frame itself counting as one. Default 100. */
  readonly maxDepth: number;
}

/** The frame limits of a client that sets none: 1 MiB, 100 levels. */
export const DEFAULT_FRAME_LIMITS: FrameLimits = { maxBytes: 1_048_576, maxDepth: 100 };

/** Result of {@link parseServerFrame}: a typed message or a typed error, never an exception. */
export type ParseResult = { ok: true; message: ServerMessage } | { ok: false; error: FrameError };

const PREVIEW_LENGTH = 120;
const statuses: ReadonlySet<string> = new Set(SESSION_STATUSES);

/** A decoded JSON object. */
export type Fields = Record<string, unknown>;

// Hand-written guards rather than a schema library: this runs once per frame on the hot path, a
// dozen `typeof` checks cost next to nothing, and the core bundle stays free of a validator.
const isString = (value: unknown): value is string => typeof value === 'string';
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isOptionalBoolean = (value: unknown) => value === undefined || typeof value === 'boolean';
const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks a frame's fields; returns the first bad field's name. */
export type FieldCheck = (fields: Record<string, unknown>) => string | undefined;

// Maps, not object literals: a frame typed "__proto__" or "constructor" must not reach Object.prototype.
/** Field checks of each server message type, returning the bad field; no entry means "unknown type". */
const messageChecks = new Map<string, FieldCheck>(
  Object.entries({
    auth_success: (f) =>
      f.capabilities === undefined || isStringArray(f.capabilities) ? undefined : 'capabilities',
    auth_expired: () => undefined,
    heartbeat_ack: () => undefined,
    auth_failed: (f) => (isString(f.reason) ? undefined : 'reason'),
    resume_complete: (f) =>
      !isStatus(f.status)
        ? 'status'
        : !isOptionalBoolean(f.recovered)
          ? 'recovered'
          : isOptionalBoolean(f.gap)
            ? undefined
            : 'gap',
    agent_event: (f) => checkId(f) ?? checkAgentEvent(f.event),
    status_change: (f) => checkId(f) ?? (isStatus(f.status) ? undefined : 'status'),
    tool_confirmation_request: (f) =>
      checkId(f) ?? (isString(f.toolCallId) ? undefined : 'toolCallId') ?? checkTool(f.tool),
    input_request: (f) =>
      checkId(f) ??
      (isString(f.requestId) ? undefined : 'requestId') ??
      (isString(f.prompt) ? undefined : 'prompt'),
    session_complete: (f) =>
      checkId(f) ?? (f.summary === undefined || isString(f.summary) ? undefined : 'summary'),
    error: (f) =>
      checkId(f) ?? (isString(f.code) ? undefined : 'code') ?? (isString(f.message) ? undefined : 'message'),
  } satisfies Record<string, FieldCheck>),
);

/** Field checks of the known agent event kinds; unknown kinds pass as they are. */
const agentEventChecks = new Map<string, FieldCheck>(
  Object.entries({
    text_delta: (e) => (isString(e.content) ? undefined : 'event.content'),
    thinking: (e) => (isString(e.content) ? undefined : 'event.content'),
    tool_call_start: (e) =>
      isString(e.toolCallId) && isString(e.name) && isString(e.arguments)
        ? undefined
        : 'event.toolCallId/name/arguments',
    tool_call_delta: (e) =>
      isString(e.toolCallId) && isString(e.arguments) ? undefined : 'event.toolCallId/arguments',
    tool_call_end: (e) => (isString(e.toolCallId) ? undefined : 'event.toolCallId'),
    tool_result: (e) =>
      isString(e.toolCallId) && isString(e.result) ? undefined : 'event.toolCallId/result',
    step_complete: (e) => (Number.isInteger(e.stepIndex) ? undefined : 'event.stepIndex'),
    message_complete: (e) => (isString(e.messageId) ? undefined : 'event.messageId'),
  } satisfies Record<string, FieldCheck>),
);

/** Whether a value is one of the session statuses. */
export function isStatus(value: unknown): value is SessionStatus {
  return isString(value) && statuses.has(value);
}

function checkId(frame: Fields): string | undefined {
  return isString(frame.id) && frame.id.length > 0 ? undefined : 'id';
}

/**
 * The bad field of an agent event, if any. Events are told apart by `kind` (the original's shape) or,
 * from LobeHub's gateways, by `type`; an event with neither is refused.
 */
export function checkAgentEvent(event: unknown): string | undefined {
  if (!isObject(event)) return 'event';
  const kind = event.kind;
  if (kind === 'text_delta') return isString(event.content) ? undefined : 'event.content';
  if (!isString(kind)) return isString(event.type) ? undefined : 'event.kind/type';
  return agentEventChecks.get(kind)?.(event);
}

function checkTool(tool: unknown): string | undefined {
  if (!isObject(tool)) return 'tool';
  const { apiName, arguments: args, identifier, name } = tool as Partial<ToolDescriptor>;
  return isString(apiName) && isString(args) && isString(identifier) && isString(name) ? undefined : 'tool';
}

/** The field check of a server message type other than `agent_event`; `undefined` for an unknown type. */
export function messageCheck(type: unknown): FieldCheck | undefined {
  return isString(type) ? messageChecks.get(type) : undefined;
}

/** A {@link FrameError} with the frame's preview. */
function refuse(kind: FrameErrorKind, message: string, raw: string): FrameError {
  return new FrameError(kind, message, raw.slice(0, PREVIEW_LENGTH));
}

/**
 * The validator for the hot path: the typed message, or `undefined` after handing `refuse` the
 * {@link FrameError} that says why the frame is refused. Never throws, allocates nothing for a valid
 * frame beyond what `JSON.parse` does.
 */
export function decodeServerFrame(
  raw: unknown,
  refused: (error: FrameError) => void,
  limits: FrameLimits = DEFAULT_FRAME_LIMITS,
): ServerMessage | undefined {
  const frame = decodeObject(raw, refused, limits);
  if (frame === undefined) return undefined;
  const type = frame.type;
  // The hot path: almost every frame is an agent event, most of them text.
  if (type === 'agent_event') {
    const badField = checkId(frame) ?? checkAgentEvent(frame.event);
    if (badField === undefined) return frame as unknown as ServerMessage;
    return void refused(refuse('invalidField', badFieldMessage(type, badField), raw as string));
  }
  return checkFrame(frame, messageCheck(type), raw as string, refused);
}

/**
 * `frame` as a typed message once `check` (its type's field check; `undefined` for a type the
 * dialect does not know) finds nothing wrong, or `undefined` after telling `refused` why not.
 */
export function checkFrame(
  frame: Fields,
  check: FieldCheck | undefined,
  raw: string,
  refused: (error: FrameError) => void,
): ServerMessage | undefined {
  if (check === undefined)
    return void refused(refuse('unknownType', `Unknown frame type ${JSON.stringify(frame.type)}`, raw));
  const badField = check(frame);
  if (badField !== undefined)
    return void refused(refuse('invalidField', badFieldMessage(frame.type, badField), raw));
  return frame as unknown as ServerMessage;
}

/**
 * The JSON object a raw frame holds, or `undefined` after telling `refused` why there is none
 * (binary, over `limits`, not JSON, not an object).
 */
export function decodeObject(
  raw: unknown,
  refused: (error: FrameError) => void,
  limits: FrameLimits,
): Fields | undefined {
  if (typeof raw !== 'string')
    return void refused(refuse('binary', 'Binary frames are not part of the protocol', ''));
  // A character is one to three UTF-8 bytes (a surrogate pair four for two): only long frames are counted.
  if (raw.length * 3 > limits.maxBytes) {
    const bytes = raw.length > limits.maxBytes ? raw.length : utf8Bytes(raw);
    if (bytes > limits.maxBytes)
      return void refused(
        refuse('tooLarge', `Frame is over ${limits.maxBytes} bytes (at least ${bytes})`, raw),
      );
  }
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return void refused(refuse('notJson', 'Frame is not valid JSON', raw));
  }
  if (!isObject(frame)) return void refused(refuse('notObject', 'Frame is not a JSON object', raw));
  // Each level takes two characters (`{}` or `[]`): a shorter frame cannot pass the limit, and is not walked.
  if (raw.length > 2 * limits.maxDepth && deeperThan(frame, limits.maxDepth))
    return void refused(refuse('tooDeep', `Frame nests deeper than ${limits.maxDepth} levels`, raw));
  return frame;
}

/** UTF-8 length of a string. */
function utf8Bytes(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // +1 from U+0080, +2 from U+0800; a surrogate pair is 4 bytes for its 2 units (+1 each).
    if (code >= 0x80) bytes += code >= 0x800 && (code < 0xd800 || code > 0xdfff) ? 2 : 1;
  }
  return bytes;
}

/** Whether `value` holds objects or arrays more than `levels` deep (itself counting as one). */
function deeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) return value.some((item) => deeperThan(item, levels - 1));
  for (const key in value) if (deeperThan((value as Fields)[key], levels - 1)) return true;
  return false;
}

/** The message of a frame refused for one field. */
function badFieldMessage(type: unknown, field: string): string {
  return `Frame "${String(type)}" has a missing or mistyped ${field}`;
}

/** The typed message, or the {@link FrameError} saying why the frame is refused. Never throws. */
export function readServerFrame(raw: unknown): ServerMessage | FrameError {
  let error: FrameError | undefined;
  const message = decodeServerFrame(raw, (refused) => {
    error = refused;
  });
  return message ?? (error as FrameError);
}

/**
 * Turns one raw WebSocket frame into a typed server message, or a {@link FrameError} saying why not.
 * Never throws. Unknown `agent_event` kinds are accepted as they are (forward compatibility).
 *
 * @example
 * const result = parseServerFrame(event.data);
 * if (result.ok) handle(result.message); else logger.warn(result.error);
 */
export function parseServerFrame(raw: unknown): ParseResult {
  const result = readServerFrame(raw);
  return result instanceof FrameError ? { ok: false, error: result } : { ok: true, message: result };
}

/** Whether an agent event is one of the kinds this protocol version defines (newer kinds are delivered as sent). */
export function isKnownAgentEvent(event: { readonly kind: string }): event is AgentStreamEvent {
  return agentEventChecks.has(event.kind);
}
