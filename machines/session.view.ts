import {
  type AgentStreamEvent,
  type ResumeCompleteMessage,
  type SessionEventMessage,
  type SessionStatus,
  TERMINAL_SESSION_STATUSES,
  type ToolDescriptor,
} from '../src/protocol/types.js';

/** Whether a text or reasoning part may still grow. */
export type StreamPartState = 'streaming' | 'done';

/** A run of the assistant's answer text. */
export interface TextUIPart {
  type: 'text';
  text: string;
  state: StreamPartState;
}

/** A run of the assistant's reasoning ("thinking") text. */
export interface ReasoningUIPart {
  type: 'reasoning';
  text: string;
  state: StreamPartState;
}

/** Where a tool call stands, in the Vercel AI SDK's vocabulary. */
export type ToolPartState =
  | 'input-streaming'
  | 'input-available'
  | 'approval-requested'
  | 'approval-responded'
  | 'output-available'
  | 'output-error'
  | 'output-denied';

/** The human approval of a tool call: what was asked and, once known, the answer. */
export interface ToolApproval {
  /** `undefined` until the user answers (or the stream shows the answer). */
  approved?: boolean;
  /** The descriptor from `tool_confirmation_request`. */
  tool?: ToolDescriptor;
}

/** A tool call: its streamed input, its approval and its outcome. */
export interface ToolUIPart {
  type: 'tool';
  toolCallId: string;
  /** The name from `tool_call_start` (or the descriptor's `identifier`); `''` if neither was seen. */
  toolName: string;
  /** The JSON arguments as streamed, possibly incomplete. */
  input: string;
  /** `input` parsed once complete; absent while it streams or when it is not valid JSON. */
  parsedInput?: unknown;
  /** The `tool_result` string as sent, whatever the outcome. */
  output?: string;
  /** `output` parsed, when it is JSON. */
  parsedOutput?: unknown;
  /** The result's `error` string, on `output-error`. */
  errorText?: string;
  approval?: ToolApproval;
  state: ToolPartState;
}

/** One ordered piece of an assistant message. */
export type UIPart = TextUIPart | ReasoningUIPart | ToolUIPart;

/** An assistant message: parts in stream order. */
export interface UIMessage {
  /** The server's `messageId` once `message_complete` arrives; a provisional `msg-N` until then. */
  id: string;
  role: 'assistant';
  parts: UIPart[];
  /** No more content will be added (`message_complete` or the end of the session). */
  complete: boolean;
}

/** An `input_request` the user can still answer. */
export interface PendingInput {
  requestId: string;
  prompt: string;
  eventId: string;
}

/** A session-level `error` frame. */
export interface SessionError {
  eventId: string;
  code: string;
  message: string;
}

/** What a UI renders of a session: immutable, with unchanged branches shared between updates. */
export interface SessionView {
  messages: UIMessage[];
  pendingInputs: PendingInput[];
  /** The last status the server reported; `undefined` before any. */
  status: SessionStatus | undefined;
  /** Session-level `error` frames, in order. */
  errors: SessionError[];
  /** `session_complete` arrived. */
  complete: boolean;
  /** The summary `session_complete` carried, if any. */
  summary: string | undefined;
}

/** A frame the session model folds: the client's `message` event payload. */
export type SessionFrame = SessionEventMessage | ResumeCompleteMessage;

/** The view before the first frame; shared by every session, like every view it is never mutated. */
export const initialSessionView: SessionView = {
  messages: [],
  pendingInputs: [],
  status: undefined,
  errors: [],
  complete: false,
  summary: undefined,
};

/** Folds one server frame into the view; frames this model does not use return the view unchanged. */
export function foldSessionFrame(view: SessionView, frame: SessionFrame): SessionView {
  switch (frame.type) {
    case 'agent_event':
      return foldAgentEvent(view, frame.event);
    case 'status_change':
    case 'resume_complete':
      return applyStatus(view, frame.status);
    case 'tool_confirmation_request':
      return requestApproval(view, frame.toolCallId, frame.tool);
    case 'input_request':
      if (view.pendingInputs.some((input) => input.requestId === frame.requestId)) return view;
      return {
        ...view,
        pendingInputs: [
          ...view.pendingInputs,
          { requestId: frame.requestId, prompt: frame.prompt, eventId: frame.id },
        ],
      };
    case 'session_complete':
      return {
        ...clearInputs(editOpenMessage(view, (message) => finishMessage(message))),
        complete: true,
        summary: frame.summary ?? view.summary,
      };
    case 'error':
      return {
        ...view,
        errors: [...view.errors, { eventId: frame.id, code: frame.code, message: frame.message }],
      };
    default:
      return view;
  }
}

/**
 * Folds one agent stream event into the view. Kinds this version does not know are ignored. A tool
 * event for a toolCallId the view has not seen (a resume that starts mid-call) creates the part in
 * the open message, so nothing the server reports is lost.
 */
export function foldAgentEvent(view: SessionView, event: AgentStreamEvent): SessionView {
  // Parsing validated the known kinds; any other kind belongs to a newer protocol (the default branch).
  switch (event.kind) {
    case 'text_delta':
      return appendStream(view, 'text', event.content);
    case 'thinking':
      return appendStream(view, 'reasoning', event.content);
    case 'tool_call_start':
      if (hasTool(view, event.toolCallId)) return view;
      return addContent(view, (parts) => [
        ...closeStream(parts),
        newTool(event.toolCallId, event.name, event.arguments),
      ]);
    case 'tool_call_delta':
      return editTool(view, event.toolCallId, '', (part) =>
        part.state === 'input-streaming' ? { ...part, input: part.input + event.arguments } : part,
      );
    case 'tool_call_end':
      return editTool(view, event.toolCallId, '', (part) =>
        part.state === 'input-streaming'
          ? { ...part, ...parseInput(part.input), state: 'input-available' }
          : part,
      );
    case 'tool_result':
      return editTool(view, event.toolCallId, '', (part) => settleOutput(part, event.result));
    case 'step_complete':
      return editOpenMessage(view, (message) => withParts(message, closeStream(message.parts)));
    case 'message_complete':
      // A message_complete with no open message would add an empty bubble: nothing to complete.
      return editOpenMessage(view, (message) => finishMessage(message, event.messageId));
    default:
      return view;
  }
}

/**
 * Records the user's answer to a tool approval (`approval-requested` → `approval-responded`).
 * Answers for unknown or already answered tool calls change nothing, as on the gateway.
 */
export function respondToToolCall(view: SessionView, toolCallId: string, approved: boolean): SessionView {
  return editTool(view, toolCallId, undefined, (part) =>
    part.state === 'approval-requested'
      ? { ...part, approval: { ...part.approval, approved }, state: 'approval-responded' }
      : part,
  );
}

/** Removes an input request the user answered. */
export function answerInputRequest(view: SessionView, requestId: string): SessionView {
  const pendingInputs = view.pendingInputs.filter((input) => input.requestId !== requestId);
  return pendingInputs.length === view.pendingInputs.length ? view : { ...view, pendingInputs };
}

/**
 * Records the server's status. The stream carries no record of the user's answers, so a view rebuilt
 * from a replay learns them from the status: `running` means every pending request was answered,
 * and a terminal status means none can be any more (tool parts keep their state as history).
 */
function applyStatus(view: SessionView, status: SessionStatus): SessionView {
  const next = view.status === status ? view : { ...view, status };
  if (status === 'running') return settleApprovals(clearInputs(next));
  return TERMINAL_SESSION_STATUSES.includes(status) ? clearInputs(next) : next;
}

function clearInputs(view: SessionView): SessionView {
  return view.pendingInputs.length === 0 ? view : { ...view, pendingInputs: [] };
}

function settleApprovals(view: SessionView): SessionView {
  return mapParts(view, (part) =>
    part.type === 'tool' && part.state === 'approval-requested'
      ? { ...part, state: 'approval-responded' }
      : part,
  );
}

function requestApproval(view: SessionView, toolCallId: string, tool: ToolDescriptor): SessionView {
  return editTool(view, toolCallId, tool.identifier, (part) => {
    if (part.state !== 'input-streaming' && part.state !== 'input-available') return part;
    const input = part.input === '' ? tool.arguments : part.input;
    return { ...part, input, ...parseInput(input), approval: { tool }, state: 'approval-requested' };
  });
}

/**
 * The outcome of a tool call, decoded from the result string: `output-denied` if the user rejected it
 * or the result is the JSON `{"denied":true}` (what the reference gateway sends for a rejected tool),
 * `output-error` if it is a JSON object with an `error` string, `output-available` otherwise (any
 * other string is the tool's output). A result for a call whose approval was never answered in this
 * view (a replay, or another tab) implies the answer.
 */
function settleOutput(part: ToolUIPart, result: string): ToolUIPart {
  if (part.state.startsWith('output-')) return part;
  const parsed = parseJson(result);
  const value = parsed.ok ? parsed.value : undefined;
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  const denied =
    part.approval?.approved === false ||
    (record !== undefined && 'denied' in record && record.denied === true);
  const errorText =
    record !== undefined && 'error' in record && typeof record.error === 'string' ? record.error : undefined;
  const answered =
    part.approval === undefined || part.approval.approved !== undefined
      ? part
      : { ...part, approval: { ...part.approval, approved: !denied } };
  const output = parsed.ok ? { output: result, parsedOutput: parsed.value } : { output: result };
  if (denied) return { ...answered, ...output, state: 'output-denied' };
  if (errorText !== undefined) return { ...answered, ...output, errorText, state: 'output-error' };
  return { ...answered, ...output, state: 'output-available' };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function parseInput(input: string): { parsedInput?: unknown } {
  const parsed = parseJson(input);
  return parsed.ok ? { parsedInput: parsed.value } : {};
}

function newTool(toolCallId: string, toolName: string, input: string): ToolUIPart {
  return { type: 'tool', toolCallId, toolName, input, state: 'input-streaming' };
}

function appendStream(view: SessionView, type: 'text' | 'reasoning', content: string): SessionView {
  if (content === '') return view;
  return addContent(view, (parts) => {
    const last = parts.at(-1);
    if (last !== undefined && last.type !== 'tool' && last.type === type && last.state === 'streaming') {
      return [...parts.slice(0, -1), { ...last, text: last.text + content }];
    }
    return [...closeStream(parts), { type, text: content, state: 'streaming' }];
  });
}

// Only the last part can be a streaming text or reasoning part: every new part closes it.
function closeStream(parts: UIPart[]): UIPart[] {
  const last = parts.at(-1);
  if (last === undefined || last.type === 'tool' || last.state === 'done') return parts;
  return [...parts.slice(0, -1), { ...last, state: 'done' }];
}

function withParts(message: UIMessage, parts: UIPart[]): UIMessage {
  return parts === message.parts ? message : { ...message, parts };
}

function finishMessage(message: UIMessage, id = message.id): UIMessage {
  return { ...message, id, parts: closeStream(message.parts), complete: true };
}

function editOpenMessage(view: SessionView, edit: (message: UIMessage) => UIMessage): SessionView {
  const message = view.messages.at(-1);
  if (message === undefined || message.complete) return view;
  const next = edit(message);
  return next === message ? view : { ...view, messages: [...view.messages.slice(0, -1), next] };
}

// Content after a completed message (or at the start) opens a new message.
function addContent(view: SessionView, edit: (parts: UIPart[]) => UIPart[]): SessionView {
  const last = view.messages.at(-1);
  if (last !== undefined && !last.complete)
    return editOpenMessage(view, (message) => withParts(message, edit(message.parts)));
  const message: UIMessage = {
    id: `msg-${view.messages.length + 1}`,
    role: 'assistant',
    parts: edit([]),
    complete: false,
  };
  return { ...view, messages: [...view.messages, message] };
}

function hasTool(view: SessionView, toolCallId: string): boolean {
  return view.messages.some((message) =>
    message.parts.some((part) => part.type === 'tool' && part.toolCallId === toolCallId),
  );
}

// Rebuilds only the messages and parts `edit` changes, so React can compare the rest by reference.
function mapParts(view: SessionView, edit: (part: UIPart) => UIPart): SessionView {
  const messages = view.messages.map((message) => {
    const parts = message.parts.map(edit);
    return parts.every((part, i) => part === message.parts[i]) ? message : { ...message, parts };
  });
  return messages.every((message, i) => message === view.messages[i]) ? view : { ...view, messages };
}

// Edits the tool part with this id. An unseen id creates the part (named `seedName`) in the open
// message, unless `seedName` is undefined: then the event is ignored.
function editTool(
  view: SessionView,
  id: string,
  seedName: string | undefined,
  edit: (part: ToolUIPart) => ToolUIPart,
) {
  if (hasTool(view, id))
    return mapParts(view, (part) => (part.type === 'tool' && part.toolCallId === id ? edit(part) : part));
  if (seedName === undefined) return view;
  return addContent(view, (parts) => [...closeStream(parts), edit(newTool(id, seedName, ''))]);
}
