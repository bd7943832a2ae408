import type { UIMessageChunk } from 'ai';
import {
  type AgentEventFold,
  createSessionFold,
  foldSessionFrame,
  initialSessionView,
  type SessionFrame,
  type SessionView,
  type ToolUIPart,
  type UIPart,
} from '../index.js';

/** What a stream waits on before it may finish: a tool approval or an input request, until answered. */
export type Wait = { kind: 'approval'; toolCallId: string } | { kind: 'input'; requestId: string };

/** Options of {@link SessionChunks}. */
export interface SessionChunksOptions {
  /** The run's chatKey: approval ids and input requests' tool call ids are `<chatKey>:<id>`. Required. */
  chatKey: string;
  /** The tool name an input request is shown as. */
  inputToolName: string;
  /** The answer this app gave to an input request, if it did (the stream does not carry it). */
  answerOf(requestId: string): string | undefined;
  /** How the client's dialect folds its agent events (its `dialect.foldAgentEvent`). Default the original protocol's. */
  foldAgentEvent?: AgentEventFold;
}

interface TextTrack {
  type: 'text' | 'reasoning';
  id: string;
  /** Characters of the view's part already written as deltas. */
  written: number;
  open: boolean;
  segments: number;
}

type ToolStage = 'streaming' | 'available' | 'approval' | 'output';

/**
 * A run's session as AI SDK UI message chunks: each frame is folded by the session model
 * (`foldSessionFrame`, so replays, decoding of tool results and seeded tool calls behave exactly as
 * in `useAgentGateway`), and what changed in the view is appended as chunks. The same frames always
 * give the same chunks with the same ids, so a replay of the log rebuilds the same message.
 * `start`/`finish` are not in the log: each stream writes its own (see {@link finalChunk}).
 */
export class SessionChunks {
  readonly chunks: UIMessageChunk[] = [];
  #view: SessionView = initialSessionView;
  readonly #texts = new Map<string, TextTrack>();
  readonly #tools = new Map<string, { stage: ToolStage; input: number }>();
  readonly #inputs = new Map<string, 'asked' | 'settled'>();
  // Where the log stood right after each wait's chunk (`approval:<toolCallId>`, `input:<requestId>`).
  readonly #waitEnds = new Map<string, number>();
  #errors = 0;
  #historyLosses = 0;
  #stepOpen = false;

  readonly #fold: (view: SessionView, frame: SessionFrame) => SessionView;

  constructor(private readonly options: SessionChunksOptions) {
    this.#fold =
      options.foldAgentEvent === undefined
        ? foldSessionFrame
        : createSessionFold(options.foldAgentEvent, options.chatKey);
  }

  /** The session model's view of the frames so far. */
  get view(): SessionView {
    return this.#view;
  }

  /** Whether `session_complete` has been folded. */
  get ended(): boolean {
    return this.#view.complete;
  }

  /** Folds one frame and appends the chunks it adds. */
  add(frame: SessionFrame): void {
    const before = this.#view;
    const after = this.#fold(before, frame);
    this.#view = after;
    after.messages.forEach((message, m) => {
      const previous = before.messages[m];
      if (message === previous) return;
      message.parts.forEach((part, p) => {
        if (part !== previous?.parts[p]) this.#part(`${m}-${p}`, part);
      });
    });
    this.#pendingInputs(before, after);
    for (const error of after.errors.slice(this.#errors)) {
      this.chunks.push({
        type: 'data-gateway-error',
        id: error.eventId,
        data: { code: error.code, message: error.message },
      });
    }
    this.#errors = after.errors.length;
    if (frame.type === 'agent_event' && frame.event.kind === 'step_complete') this.#finishStep();
    if (frame.type === 'session_complete') {
      this.#closeTexts();
      this.#finishStep();
    }
  }

  /**
   * The gateway no longer had every frame since the last one folded (`history_lost`, told after the
   * replay it had): frames before that replay are gone. Unlike `useAgentGateway`'s view, the log is
   * not rebuilt, since chunks already streamed cannot be taken back: it goes on after the gap and
   * says so with a `data-gateway-error` part (code `history_lost`).
   */
  historyLost(): void {
    this.#closeTexts();
    this.chunks.push({
      type: 'data-gateway-error',
      id: `history-lost-${++this.#historyLosses}`,
      data: { code: 'history_lost', message: 'Events between the last one shown and the replay are gone' },
    });
  }

  /** The waits the chunks show and the session has not settled yet. */
  waits(): Wait[] {
    const waits: Wait[] = [];
    for (const message of this.#view.messages) {
      for (const part of message.parts) {
        if (part.type === 'tool' && part.state === 'approval-requested')
          waits.push({ kind: 'approval', toolCallId: part.toolCallId });
      }
    }
    for (const [requestId, state] of this.#inputs)
      if (state === 'asked') waits.push({ kind: 'input', requestId });
    return waits;
  }

  /** The length the log had right after this wait's chunk, if it has one. */
  positionAfter(wait: Wait): number | undefined {
    return this.#waitEnds.get(
      wait.kind === 'approval' ? `approval:${wait.toolCallId}` : `input:${wait.requestId}`,
    );
  }

  /** How a stream ends once it has written the whole log of an ended session. */
  finalChunk(): UIMessageChunk {
    const { status, errors } = this.#view;
    if (status === 'error')
      return { type: 'error', errorText: errors.at(-1)?.message ?? 'The agent run failed' };
    return { type: 'finish', finishReason: status === 'interrupted' ? 'other' : 'stop' };
  }

  #part(key: string, part: UIPart): void {
    if (part.type === 'tool') return this.#tool(part);
    let track = this.#texts.get(key);
    if (track === undefined) {
      track = { type: part.type, id: `${part.type}-${key}`, written: 0, open: false, segments: 0 };
      this.#texts.set(key, track);
    }
    if (part.text.length > track.written) {
      if (!track.open) {
        // A part closed at a wait and growing again continues as a new part: the AI SDK's
        // continuation after the wait knows no open text.
        if (track.segments > 0) track.id = `${part.type}-${key}-${track.segments}`;
        track.segments++;
        track.open = true;
        this.#startStep();
        this.chunks.push({ type: `${part.type}-start`, id: track.id });
      }
      this.chunks.push({ type: `${part.type}-delta`, id: track.id, delta: part.text.slice(track.written) });
      track.written = part.text.length;
    }
    if (part.state === 'done' && track.open) {
      track.open = false;
      this.chunks.push({ type: `${part.type}-end`, id: track.id });
    }
  }

  #tool(part: ToolUIPart): void {
    const { toolCallId, toolName } = part;
    let track = this.#tools.get(toolCallId);
    if (track === undefined) {
      track = { stage: 'streaming', input: 0 };
      this.#tools.set(toolCallId, track);
      this.#startStep();
      // The agent's tools run on the server: `providerExecuted`, so the AI SDK never runs or
      // auto-resubmits them; `dynamic`, since the client knows none of their types.
      this.chunks.push({
        type: 'tool-input-start',
        toolCallId,
        toolName,
        dynamic: true,
        providerExecuted: true,
      });
    }
    if (track.stage === 'streaming' && part.input.length > track.input) {
      this.chunks.push({
        type: 'tool-input-delta',
        toolCallId,
        inputTextDelta: part.input.slice(track.input),
      });
      track.input = part.input.length;
    }
    if (track.stage === 'streaming' && part.state !== 'input-streaming') {
      track.stage = 'available';
      const input = 'parsedInput' in part ? part.parsedInput : part.input;
      this.chunks.push({
        type: 'tool-input-available',
        toolCallId,
        toolName,
        input,
        dynamic: true,
        providerExecuted: true,
      });
    }
    if (track.stage === 'available' && part.state === 'approval-requested') {
      track.stage = 'approval';
      this.#closeTexts();
      // `addToolApprovalResponse` finds a part by its approval id in any message of the chat, and
      // runs reuse tool call ids (the demo agent's always is `call_weather_1`).
      const approvalId = runScoped(this.options.chatKey, toolCallId);
      this.chunks.push({ type: 'tool-approval-request', approvalId, toolCallId });
      this.#waitEnds.set(`approval:${toolCallId}`, this.chunks.length);
    }
    if (track.stage !== 'output' && part.state.startsWith('output-')) {
      track.stage = 'output';
      this.chunks.push(toolOutput(part));
    }
  }

  #pendingInputs(before: SessionView, after: SessionView): void {
    if (before.pendingInputs === after.pendingInputs) return;
    for (const { requestId, prompt } of after.pendingInputs) {
      if (this.#inputs.has(requestId)) continue;
      this.#inputs.set(requestId, 'asked');
      this.#closeTexts();
      this.#startStep();
      const { inputToolName: toolName } = this.options;
      // Answered on the client, like any AI SDK client-side tool: `addToolOutput`.
      // `addToolOutput` finds a part by its tool call id in any message; request ids repeat across runs.
      this.chunks.push({
        type: 'tool-input-available',
        toolCallId: runScoped(this.options.chatKey, requestId),
        toolName,
        input: { prompt },
        dynamic: true,
      });
      this.#waitEnds.set(`input:${requestId}`, this.chunks.length);
    }
    for (const [requestId, state] of this.#inputs) {
      if (state === 'settled' || after.pendingInputs.some((input) => input.requestId === requestId)) continue;
      this.#inputs.set(requestId, 'settled');
      const answer = this.options.answerOf(requestId);
      // Still pending until the session moved on: answered (here or elsewhere), or ended unanswered.
      if (after.status === 'running' || answer !== undefined)
        this.chunks.push({
          type: 'tool-output-available',
          toolCallId: runScoped(this.options.chatKey, requestId),
          output: answer ?? null,
          dynamic: true,
        });
      else
        this.chunks.push({
          type: 'tool-output-error',
          toolCallId: runScoped(this.options.chatKey, requestId),
          errorText: 'The session ended unanswered',
          dynamic: true,
        });
    }
  }

  #closeTexts(): void {
    for (const track of this.#texts.values()) {
      if (!track.open) continue;
      track.open = false;
      this.chunks.push({ type: `${track.type}-end`, id: track.id });
    }
  }

  #startStep(): void {
    if (this.#stepOpen) return;
    this.#stepOpen = true;
    this.chunks.push({ type: 'start-step' });
  }

  #finishStep(): void {
    this.#closeTexts();
    if (!this.#stepOpen) return;
    this.#stepOpen = false;
    this.chunks.push({ type: 'finish-step' });
  }
}

/** An id unique in a chat of many runs: `<chatKey>:<id>` (see `readAnswers`, which strips it). */
export const runScoped = (chatKey: string, id: string) => `${chatKey}:${id}`;

function toolOutput(part: ToolUIPart): UIMessageChunk {
  const { toolCallId } = part;
  switch (part.state) {
    case 'output-denied':
      return { type: 'tool-output-denied', toolCallId };
    case 'output-error':
      return {
        type: 'tool-output-error',
        toolCallId,
        errorText: part.errorText ?? part.output ?? '',
        dynamic: true,
        providerExecuted: true,
      };
    default:
      return {
        type: 'tool-output-available',
        toolCallId,
        output: 'parsedOutput' in part ? part.parsedOutput : part.output,
        dynamic: true,
        providerExecuted: true,
      };
  }
}
