import type { AgentStreamEvent } from '../src/protocol/types.js';
import {
  addContent,
  appendStream,
  applyStatus,
  clearInputs,
  closeStream,
  editOpenMessage,
  editTool,
  finishMessage,
  hasTool,
  newTool,
  parseInput,
  requestApproval,
  settleOutput,
  withParts,
} from './session.edits.js';
import type { AgentEventFold, SessionFrame, SessionView } from './session.types.js';

export type * from './session.types.js';

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
  return foldFrame(view, frame, foldAgentEvent, '');
}

/**
 * A frame fold whose agent events go to a dialect's `foldEvent` (LobeHub's events are not the
 * original's), with the session's `key`.
 *
 * @example
 * const fold = createSessionFold(lobehubDialect.foldAgentEvent, operationId);
 * const view = frames.reduce(fold, initialSessionView);
 */
export function createSessionFold(
  foldEvent: AgentEventFold,
  key: string,
): (view: SessionView, frame: SessionFrame) => SessionView {
  return (view, frame) => foldFrame(view, frame, foldEvent, key);
}

function foldFrame(
  view: SessionView,
  frame: SessionFrame,
  foldEvent: AgentEventFold,
  key: string,
): SessionView {
  switch (frame.type) {
    case 'agent_event':
      return foldEvent(view, frame.event, key);
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
export function foldAgentEvent(view: SessionView, agentEvent: unknown): SessionView {
  // Parsing validated the known kinds; any other kind belongs to a newer protocol (the default branch).
  const event = agentEvent as AgentStreamEvent;
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
