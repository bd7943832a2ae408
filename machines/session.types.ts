import type {
  ResumeCompleteMessage,
  SessionEventMessage,
  SessionStatus,
  ToolDescriptor,
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
  /** The gateway asked this client to run the tool (LobeHub's `tool_execute`): answer with `sendToolResult`. */
  runsOnClient?: boolean;
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
  /** Structured questions, when the request carried them (LobeHub's interventions). */
  questions?: readonly InputQuestion[];
}

/** One structured question of an input request. */
export interface InputQuestion {
  question: string;
  header: string;
  multiSelect: boolean;
  options: ReadonlyArray<{ label: string; id?: string; description?: string }>;
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

/**
 * Folds one agent event of a dialect into the view (the original protocol's is {@link foldAgentEvent};
 * LobeHub's comes with its dialect). `key` is the session's chatKey or operationId.
 */
export type AgentEventFold = (view: SessionView, event: unknown, key: string) => SessionView;
