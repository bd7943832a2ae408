import { type SessionStatus, TERMINAL_SESSION_STATUSES, type ToolDescriptor } from '../src/protocol/types.js';
import type { SessionView, ToolUIPart, UIMessage, UIPart } from './session.types.js';

// Immutable edits of a session view, shared by the dialects' folds (session.view.ts and LobeHub's):
// each returns the same object when nothing changed, so React can compare by reference.

/**
 * Records the server's status. The stream carries no record of the user's answers, so a view rebuilt
 * from a replay learns them from the status: `running` means every pending request was answered,
 * and a terminal status means none can be any more (tool parts keep their state as history).
 */
export function applyStatus(view: SessionView, status: SessionStatus): SessionView {
  const next = view.status === status ? view : { ...view, status };
  if (status === 'running') return settleApprovals(clearInputs(next));
  return TERMINAL_SESSION_STATUSES.includes(status) ? clearInputs(next) : next;
}

/** Drops every pending input request. */
export function clearInputs(view: SessionView): SessionView {
  return view.pendingInputs.length === 0 ? view : { ...view, pendingInputs: [] };
}

/** Marks every tool call still awaiting approval as answered (the status says the session moved on). */
export function settleApprovals(view: SessionView): SessionView {
  return mapParts(view, (part) =>
    part.type === 'tool' && part.state === 'approval-requested'
      ? { ...part, state: 'approval-responded' }
      : part,
  );
}

/** A tool call now awaits the user's approval, with its descriptor (seeds the part if unseen). */
export function requestApproval(view: SessionView, toolCallId: string, tool: ToolDescriptor): SessionView {
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
export function settleOutput(part: ToolUIPart, result: string): ToolUIPart {
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

/** `JSON.parse` that reports instead of throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** `parsedInput` for a tool part whose JSON input is complete and valid; nothing otherwise. */
export function parseInput(input: string): { parsedInput?: unknown } {
  const parsed = parseJson(input);
  return parsed.ok ? { parsedInput: parsed.value } : {};
}

/** A tool part whose input is still streaming. */
export function newTool(toolCallId: string, toolName: string, input: string): ToolUIPart {
  return { type: 'tool', toolCallId, toolName, input, state: 'input-streaming' };
}

/** Appends text or reasoning to the open message: to its last part of that type while it streams, else as a new part. */
export function appendStream(view: SessionView, type: 'text' | 'reasoning', content: string): SessionView {
  if (content === '') return view;
  return addContent(view, (parts) => {
    const last = parts.at(-1);
    if (last !== undefined && last.type !== 'tool' && last.type === type && last.state === 'streaming') {
      return [...parts.slice(0, -1), { ...last, text: last.text + content }];
    }
    return [...closeStream(parts), { type, text: content, state: 'streaming' }];
  });
}

/** The parts with a streaming last part closed (only the last can stream: every new part closes it). */
export function closeStream(parts: UIPart[]): UIPart[] {
  const last = parts.at(-1);
  if (last === undefined || last.type === 'tool' || last.state === 'done') return parts;
  return [...parts.slice(0, -1), { ...last, state: 'done' }];
}

/** The message with `parts`, or the message itself when they are the same array. */
export function withParts(message: UIMessage, parts: UIPart[]): UIMessage {
  return parts === message.parts ? message : { ...message, parts };
}

/** The message, complete, its streams closed (and its id set, when the server gave one). */
export function finishMessage(message: UIMessage, id = message.id): UIMessage {
  return { ...message, id, parts: closeStream(message.parts), complete: true };
}

/** Edits the last message while it is open; a complete or missing one leaves the view as it is. */
export function editOpenMessage(view: SessionView, edit: (message: UIMessage) => UIMessage): SessionView {
  const message = view.messages.at(-1);
  if (message === undefined || message.complete) return view;
  const next = edit(message);
  return next === message ? view : { ...view, messages: [...view.messages.slice(0, -1), next] };
}

/** Edits the parts of the open message; content after a complete message (or at the start) opens a new one. */
export function addContent(view: SessionView, edit: (parts: UIPart[]) => UIPart[]): SessionView {
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

/** Whether any message has a tool part with this id. */
export function hasTool(view: SessionView, toolCallId: string): boolean {
  return view.messages.some((message) =>
    message.parts.some((part) => part.type === 'tool' && part.toolCallId === toolCallId),
  );
}

/** Applies `edit` to every part, rebuilding only the messages and parts it changes. */
export function mapParts(view: SessionView, edit: (part: UIPart) => UIPart): SessionView {
  const messages = view.messages.map((message) => {
    const parts = message.parts.map(edit);
    return parts.every((part, i) => part === message.parts[i]) ? message : { ...message, parts };
  });
  return messages.every((message, i) => message === view.messages[i]) ? view : { ...view, messages };
}

/**
 * Edits the tool part with this id. An unseen id creates the part (named `seedName`) in the open
 * message, unless `seedName` is undefined: then the event is ignored.
 */
export function editTool(
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

/** Finishes the open message, if any, and opens an empty one with the server's id. */
export function openMessage(view: SessionView, id: string): SessionView {
  const finished = editOpenMessage(view, (message) => finishMessage(message));
  const message: UIMessage = { id, role: 'assistant', parts: [], complete: false };
  return { ...finished, messages: [...finished.messages, message] };
}

/** Replaces the text (or reasoning) of the open message's streaming part of that type: a snapshot of the whole so far. */
export function replaceStream(view: SessionView, type: 'text' | 'reasoning', content: string): SessionView {
  return addContent(view, (parts) => {
    const last = parts.at(-1);
    if (last !== undefined && last.type === type && last.state === 'streaming') {
      return last.text === content ? parts : [...parts.slice(0, -1), { ...last, text: content }];
    }
    return content === '' ? parts : [...closeStream(parts), { type, text: content, state: 'streaming' }];
  });
}

/** The session is over: the open message finished, no request left to answer, and its last status. */
export function endSession(view: SessionView, status: SessionStatus): SessionView {
  const ended = clearInputs(editOpenMessage(view, (message) => finishMessage(message)));
  return ended.complete && ended.status === status ? ended : { ...ended, status, complete: true };
}
