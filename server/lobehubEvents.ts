import type { SessionStatus } from '../src/protocol/types.js';
import type { PublishedFrame } from './eventLog.js';

/** A tool call as LobeHub's `tools_calling` chunks list it. */
interface ToolCalling {
  id: string;
  apiName: string;
  identifier: string;
  arguments: string;
  type: 'default';
}

const END_REASON: Partial<Record<SessionStatus, string>> = {
  completed: 'done',
  error: 'error',
  interrupted: 'interrupted',
};

type Fields = Record<string, unknown>;

/**
 * What LobeHub's v1 gateway sends for a session of the reference gateway (docs/lobehub.md, "The
 * gateway's LobeHub dialect"): the agent's events in LobeHub's shape
 * (`{type, data, operationId, stepIndex, timestamp}`), stateful like a real run — `agent_runtime_init`
 * first, each message opened by `stream_start` with its id, text and reasoning as `stream_chunk`s,
 * tool calls as the whole `tools_calling` list, `stream_end` and `step_complete` at each step's end,
 * `tool_start` / `tool_end` around a tool, and `agent_runtime_end` before the session's last status.
 * An event already in LobeHub's shape (it has a `type`) is passed on, its envelope completed. The
 * gateway's own frames (`status_change`, `tool_confirmation_request`, `input_request`, `error`,
 * `session_complete`) are sent as they are, as LobeHub's gateway sends them.
 */
export class LobeHubEventWriter {
  #step = 0;
  #messages = 0;
  #message: string | undefined;
  #text = '';
  #reasoning = '';
  // The tool calls of the open message (what `tools_calling` lists), and the calls started since.
  readonly #tools = new Map<string, ToolCalling>();
  readonly #running = new Map<string, { tool: ToolCalling; parentMessageId: string }>();
  #started = false;
  #ended = false;

  constructor(
    private readonly operationId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The frames to publish, in order, for one frame the session publishes. */
  frames(frame: PublishedFrame): PublishedFrame[] {
    const out: PublishedFrame[] = [];
    if (!this.#started) {
      this.#started = true;
      out.push(this.#event('agent_runtime_init', { status: 'idle' }));
    }
    switch (frame.type) {
      case 'agent_event':
        out.push(...this.#agentEvent(frame.event as unknown as Fields));
        break;
      case 'status_change':
        if (END_REASON[frame.status] !== undefined) out.push(...this.#end(frame.status));
        out.push(frame);
        break;
      case 'session_complete':
        out.push(...this.#end('completed'), frame);
        break;
      default:
        out.push(frame);
    }
    return out;
  }

  #agentEvent(event: Fields): PublishedFrame[] {
    if (typeof event.type === 'string') {
      // Already LobeHub's shape (a test or an agent that speaks it): only the envelope is completed.
      return [
        this.#wrap({
          operationId: this.operationId,
          stepIndex: this.#step,
          timestamp: this.now(),
          data: {},
          ...event,
        }),
      ];
    }
    switch (event.kind) {
      case 'thinking':
        this.#reasoning += String(event.content);
        return [
          ...this.#open(),
          this.#event('stream_chunk', { chunkType: 'reasoning', reasoning: event.content }),
        ];
      case 'text_delta':
        this.#text += String(event.content);
        return [...this.#open(), this.#event('stream_chunk', { chunkType: 'text', content: event.content })];
      case 'tool_call_start': {
        const id = String(event.toolCallId);
        const name = String(event.name);
        this.#tools.set(id, {
          id,
          apiName: name,
          identifier: name,
          arguments: String(event.arguments),
          type: 'default',
        });
        return [...this.#open(), this.#toolsCalling()];
      }
      case 'tool_call_delta': {
        const tool = this.#tools.get(String(event.toolCallId));
        if (tool !== undefined) tool.arguments += String(event.arguments);
        return [this.#toolsCalling()];
      }
      case 'tool_call_end': {
        // The model's step ends with its tool calls; the tool runs in the next step.
        const tool = this.#tools.get(String(event.toolCallId));
        const parentMessageId = this.#message ?? '';
        const ended = this.#closeStep();
        if (tool === undefined) return ended;
        this.#running.set(tool.id, { tool, parentMessageId });
        return [
          ...ended,
          this.#event('step_start', {}),
          this.#event('tool_start', { parentMessageId, toolCalling: { ...tool } }),
        ];
      }
      case 'tool_result':
        return this.#toolEnd(String(event.toolCallId), String(event.result));
      case 'step_complete':
        return this.#closeStep();
      case 'message_complete':
        return [...this.#closeStream(), this.#event('visible_output_end', { reason: 'final_answer' })];
      default: {
        // A kind LobeHub has no name for travels under its own, its fields as the data.
        const { kind, ...data } = event;
        return [this.#event(String(kind), data)];
      }
    }
  }

  #toolEnd(toolCallId: string, result: string): PublishedFrame[] {
    const running = this.#running.get(toolCallId);
    this.#running.delete(toolCallId);
    const tool = running?.tool ?? {
      id: toolCallId,
      apiName: '',
      identifier: '',
      arguments: '',
      type: 'default' as const,
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(result);
    } catch {
      parsed = undefined;
    }
    const record = typeof parsed === 'object' && parsed !== null ? (parsed as Fields) : {};
    const error =
      record.denied === true
        ? { message: 'The user rejected the tool call', type: 'rejected' }
        : typeof record.error === 'string'
          ? { message: record.error, type: 'tool_error' }
          : undefined;
    return [
      this.#event('tool_end', {
        executionTime: 0,
        isSuccess: error === undefined,
        phase: 'tool_execution',
        payload: { parentMessageId: running?.parentMessageId ?? '', toolCalling: { ...tool } },
        result: { content: result, success: error === undefined, ...(error ? { error } : {}) },
      }),
      ...this.#closeStep(),
    ];
  }

  /** `agent_runtime_end`, once, before the session's last status. */
  #end(status: SessionStatus): PublishedFrame[] {
    if (this.#ended) return [];
    this.#ended = true;
    return [
      ...this.#closeStream(),
      this.#event('agent_runtime_end', { reason: END_REASON[status] ?? 'done' }),
    ];
  }

  /** Opens the step's assistant message, if none is open. */
  #open(): PublishedFrame[] {
    if (this.#message !== undefined) return [];
    this.#message = `msg_${this.operationId}_${++this.#messages}`;
    this.#text = '';
    this.#reasoning = '';
    return [
      this.#event('step_start', {}),
      this.#event('stream_start', { assistantMessage: { id: this.#message, role: 'assistant' } }),
    ];
  }

  #closeStream(): PublishedFrame[] {
    if (this.#message === undefined) return [];
    this.#message = undefined;
    return [
      this.#event('stream_end', {
        finalContent: this.#text,
        ...(this.#reasoning ? { reasoning: this.#reasoning } : {}),
        toolsCalling: [...this.#tools.values()].map((tool) => ({ ...tool })),
      }),
    ];
  }

  #closeStep(): PublishedFrame[] {
    const frames = [...this.#closeStream(), this.#event('step_complete', { stepIndex: this.#step })];
    this.#step++;
    this.#tools.clear();
    return frames;
  }

  #toolsCalling(): PublishedFrame {
    return this.#event('stream_chunk', {
      chunkType: 'tools_calling',
      toolsCalling: [...this.#tools.values()].map((tool) => ({ ...tool })),
    });
  }

  #event(type: string, data: Fields): PublishedFrame {
    return this.#wrap({
      data,
      operationId: this.operationId,
      stepIndex: this.#step,
      timestamp: this.now(),
      type,
    });
  }

  #wrap(event: Fields): PublishedFrame {
    return { type: 'agent_event', event: event as never };
  }
}
