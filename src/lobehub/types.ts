/**
 * LobeHub's protocol v1 (docs/lobehub.md): the wire and client types of its shipped
 * `AgentStreamClient`, under the same names and shapes, so an app switches by changing one import.
 * Written for this package; the shapes follow LobeHub's published `@lobechat/agent-gateway-client`.
 */

import type { WebSocketConstructor } from '../webSocket.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- LobeHub types these payloads as `any`; apps read
   `event.data.content` without casts, and a stricter type here would stop their code compiling. */

// ─── Agent stream events ───

/** The type of an agent stream event. */
export type AgentStreamEventType =
  | 'agent_runtime_init'
  | 'agent_runtime_end'
  | 'stream_start'
  | 'stream_chunk'
  | 'stream_end'
  /** No more visible output will come from this operation; it may still end later. */
  | 'visible_output_end'
  | 'stream_retry'
  | 'tool_start'
  | 'tool_end'
  /** The gateway asks the client to run a tool and answer with `tool_result`. */
  | 'tool_execute'
  | 'tool_result'
  | 'agent_intervention_request'
  | 'agent_intervention_response'
  | 'message_patch'
  | 'step_start'
  | 'step_complete'
  | 'notify_update'
  | 'error';

/** One event of an operation's stream. Events of other operations (a group's members) may ride the same socket. */
export interface AgentStreamEvent {
  data: any;
  id?: string;
  operationId: string;
  stepIndex: number;
  timestamp: number;
  type: AgentStreamEventType;
}

/** A canonical conversation message, as LobeHub's server sends it in `message_patch` (opaque here). */
export interface UIChatMessage {
  id: string;
  [field: string]: unknown;
}

/** One upserted message of a `message_patch`. */
export interface MessagePatchUpsert {
  /** The message before it in the canonical list; `null` for the first. */
  afterId: string | null;
  message: UIChatMessage;
}

/** `message_patch` data (protocol v2 only): a revision of the operation's messages. */
export interface MessagePatchData {
  deletes: string[];
  revision: number;
  upserts: MessagePatchUpsert[];
}

/** What a `stream_chunk` carries. */
export type StreamChunkType =
  | 'text'
  | 'reasoning'
  | 'tool_state'
  | 'tools_calling'
  | 'image'
  | 'grounding'
  | 'base64_image'
  | 'content_part'
  | 'reasoning_part';

/** `stream_chunk` data. */
export interface StreamChunkData {
  chunkType: StreamChunkType;
  content?: string;
  contentParts?: Array<{ text: string; type: 'text' } | { image: string; type: 'image' }>;
  grounding?: any;
  imageList?: any[];
  images?: any[];
  pluginState?: Record<string, unknown>;
  reasoning?: string;
  reasoningParts?: Array<{ text: string; type: 'text' } | { image: string; type: 'image' }>;
  /** `content` (or `reasoning`) is the whole text so far: it replaces what was accumulated. */
  snapshotMode?: 'replace';
  /** Order of `replace` snapshots: one whose seq is not above the last applied is dropped. */
  snapshotSeq?: number;
  toolCallId?: string;
  /** The whole list of the message's tool calls so far (not a delta). */
  toolsCalling?: any[];
}

/** `stream_chunk` data of a running tool's state (a replace-only snapshot). */
export interface ToolStateChunkData {
  chunkType: 'tool_state';
  pluginState: Record<string, unknown>;
  snapshotMode: 'replace';
  snapshotSeq: number;
  subagent?: { parentToolCallId: string; [key: string]: unknown };
  toolCallId: string;
}

/** The assistant message a step's `stream_start` opens. */
export interface StreamStartAssistantMessage {
  agentId?: string | null;
  groupId?: string | null;
  id: string;
  model?: string | null;
  parentId?: string | null;
  provider?: string | null;
  role?: string;
  threadId?: string | null;
  topicId?: string | null;
}

/** `stream_start` data. */
export interface StreamStartData {
  assistantMessage: StreamStartAssistantMessage;
  model?: string;
  provider?: string;
}

/** `tool_start` data. */
export interface ToolStartData {
  parentMessageId: string;
  toolCalling: Record<string, unknown>;
}

/** `tool_end` data. */
export interface ToolEndData {
  executionTime?: number;
  isSuccess: boolean;
  payload?: Record<string, unknown>;
  result?: unknown;
}

/** `step_complete` data. */
export interface StepCompleteData {
  /** Present only when the run opts into it. */
  finalState?: unknown;
  phase: string;
  reason?: string;
  reasonDetail?: string;
}

/** `step_complete` with `phase: 'subagent_progress'`: a sub-agent's running totals. */
export interface SubAgentProgressData extends StepCompleteData {
  model?: string;
  phase: 'subagent_progress';
  toolMessageId: string;
  totalCost?: number;
  totalInputTokens?: number;
  totalOutputTokens?: number;
  totalTokens?: number;
  totalToolCalls?: number;
}

/** The shape of an interaction a producer waits on. */
export type AgentInterventionInteractionKind = 'permission' | 'plan' | 'question';

/** The producer that owns a blocked interaction. */
export type AgentInterventionProvider = 'claude-code' | 'codex' | 'cursor' | 'devin' | 'droid' | 'qoder';

/** One option of a question. */
export interface AgentInterventionRenderOption {
  description?: string;
  /** Required for permission and plan choices. */
  id?: string;
  label: string;
}

/** One question the user is asked. */
export interface AgentInterventionRenderQuestion {
  header: string;
  multiSelect: boolean;
  options: AgentInterventionRenderOption[];
  question: string;
}

/** The questions of an intervention, as its `arguments` hold them (JSON). */
export interface AgentInterventionRenderArguments {
  questions: AgentInterventionRenderQuestion[];
}

/** `agent_intervention_request` data: questions the user must answer before the producer goes on. */
export interface AgentInterventionRequestData {
  apiName: string;
  /** JSON: `{ questions: [...] }`. */
  arguments: string;
  /** Unix ms at which the producer stops waiting. */
  deadline: number;
  identifier: string;
  interactionKind?: AgentInterventionInteractionKind;
  provider?: AgentInterventionProvider;
  /** Correlates the response. */
  toolCallId: string;
}

/** `agent_intervention_response` data: the user's answer, or its cancellation. */
export interface AgentInterventionResponseData {
  cancelled?: boolean;
  cancelReason?: 'timeout' | 'user_cancelled' | 'session_ended';
  producerAck?: boolean;
  resolutionRequestId?: string;
  result?: unknown;
  toolCallId: string;
}

/** `tool_execute` data: a tool the client must run, answering with `sendToolResult`. */
export interface ToolExecuteData {
  agentId?: string | null;
  apiName: string;
  /** JSON arguments, as the model wrote them. */
  arguments: string;
  assistantMessageId?: string;
  documentId?: string | null;
  executionTimeoutMs: number;
  groupId?: string | null;
  identifier: string;
  rootOperationId?: string;
  scope?: string | null;
  sourceMessageId?: string | null;
  taskId?: string | null;
  threadId?: string | null;
  toolCallId: string;
  toolMessageId?: string;
  topicId?: string | null;
}

// ─── Frames ───

/** Client → gateway: a tool's result, correlated by `toolCallId`. */
export interface ToolResultMessage {
  content: string | null;
  error?: { message: string; type?: string };
  state?: any;
  success: boolean;
  toolCallId: string;
  type: 'tool_result';
  workRegistration?: any;
}

/** The session's status, as the gateway stores it. */
export type SessionStatus =
  'running' | 'waiting_input' | 'waiting_confirmation' | 'completed' | 'error' | 'interrupted';

/** The statuses after which the operation does no more work. */
export type TerminalSessionStatus = Extract<SessionStatus, 'completed' | 'error' | 'interrupted'>;

/** Why `session_complete` was told: the gateway's frame, or a terminal status on resume. */
export type AgentStreamSessionCompletion =
  | { source: 'raw_session_complete' }
  | { source: 'resume_status'; status: TerminalSessionStatus }
  | { source: 'agent_event' }
  | { source: 'status_change'; status: TerminalSessionStatus };

// ─── The client ───

/** The connection status. */
export type ConnectionStatus =
  'authenticating' | 'connected' | 'connecting' | 'disconnected' | 'reconnecting';

/** Events of {@link AgentStreamClient} and their listeners. */
export interface AgentStreamClientEvents {
  agent_event: (event: AgentStreamEvent) => void;
  /** The token expired on a live socket: call `updateToken()`, then `reconnect()`. */
  auth_expired: () => void;
  auth_failed: (reason: string) => void;
  connected: () => void;
  disconnected: () => void;
  error: (error: Error) => void;
  reconnecting: (delay: number) => void;
  session_complete: (completion: AgentStreamSessionCompletion) => void;
  status_changed: (status: ConnectionStatus) => void;
}

/** Options of {@link AgentStreamClient}: LobeHub's, plus this package's extras (marked). */
export interface AgentStreamClientOptions {
  /** Reconnect after an unexpected close. Default `true`. */
  autoReconnect?: boolean;
  /** Gateway base URL (`https://…`, `wss://…`). */
  gatewayUrl: string;
  /** Resume after this event id on the first connect (handed over from another transport). Default none. */
  lastEventId?: string;
  /** The operation to follow. */
  operationId: string;
  /** On a first connect without `lastEventId`, hold events until the replay ends (a page reload). Default `false`. */
  resumeOnConnect?: boolean;
  /** The token sent in `auth`; replace it with `updateToken`. */
  token: string;
  /** Extra: the WebSocket class. Default the global `WebSocket` (in Node, pass the `ws` package's). */
  WebSocket?: WebSocketConstructor;
}
