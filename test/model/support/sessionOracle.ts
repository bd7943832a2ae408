/**
 * The session view (docs/protocol.md "Agent stream events") folded a second time, plainly
 * and mutably — not `machines/session.view.ts`: what a UI must render after each frame and answer.
 */

type PartState = 'streaming' | 'done';
interface StreamPart {
  type: 'text' | 'reasoning';
  text: string;
  state: PartState;
}
interface ToolPart {
  type: 'tool';
  toolCallId: string;
  toolName: string;
  input: string;
  parsedInput?: unknown;
  output?: string;
  parsedOutput?: unknown;
  errorText?: string;
  approval?: { approved?: boolean; tool?: unknown };
  state: string;
}
type Part = StreamPart | ToolPart;
interface Message {
  id: string;
  role: 'assistant';
  parts: Part[];
  complete: boolean;
}

/** What the oracle expects the store's `session` to be. */
export interface ExpectedView {
  messages: Message[];
  pendingInputs: Array<{ requestId: string; prompt: string; eventId: string }>;
  status: string | undefined;
  errors: Array<{ eventId: string; code: string; message: string }>;
  complete: boolean;
  summary: string | undefined;
}

type Frame = { type: string; [field: string]: unknown };
type AgentEvent = { kind: string; [field: string]: unknown };

const TERMINAL = ['completed', 'error', 'interrupted'];

const parse = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
};

export class SessionOracle {
  view: ExpectedView = SessionOracle.#empty();
  /** A terminal status or `session_complete` was seen: answers no longer change the view. */
  #ended = false;

  static #empty(): ExpectedView {
    return {
      messages: [],
      pendingInputs: [],
      status: undefined,
      errors: [],
      complete: false,
      summary: undefined,
    };
  }

  /** Another conversation starts: the view starts over. */
  reset(): void {
    this.view = SessionOracle.#empty();
    this.#ended = false;
  }

  frame(sent: { readonly type: string }): void {
    const frame = sent as Frame;
    switch (frame.type) {
      case 'agent_event':
        return this.#agentEvent(frame.event as AgentEvent);
      case 'status_change':
      case 'resume_complete':
        return this.#status(frame.status as string);
      case 'tool_confirmation_request': {
        const tool = frame.tool as { arguments: string; identifier: string };
        const part = this.#tool(frame.toolCallId as string, tool.identifier);
        if (part.state !== 'input-streaming' && part.state !== 'input-available') return;
        if (part.input === '') part.input = tool.arguments;
        this.#parseInput(part);
        part.approval = { tool };
        part.state = 'approval-requested';
        return;
      }
      case 'input_request':
        if (this.view.pendingInputs.some(({ requestId }) => requestId === frame.requestId)) return;
        this.view.pendingInputs.push({
          requestId: frame.requestId as string,
          prompt: frame.prompt as string,
          eventId: frame.id as string,
        });
        return;
      case 'session_complete': {
        this.#ended = true;
        const open = this.#openMessage();
        if (open !== undefined) {
          this.#closeStream(open);
          open.complete = true;
        }
        this.view.pendingInputs = [];
        this.view.complete = true;
        if (frame.summary !== undefined) this.view.summary = frame.summary as string;
        return;
      }
      case 'error':
        this.view.errors.push({
          eventId: frame.id as string,
          code: frame.code as string,
          message: frame.message as string,
        });
        return;
    }
  }

  /** The user approved or rejected a tool call (through the store). */
  answerTool(toolCallId: string, approved: boolean): void {
    if (this.#ended) return;
    const part = this.#findTool(toolCallId);
    if (part?.state !== 'approval-requested') return;
    part.approval = { ...part.approval, approved };
    part.state = 'approval-responded';
  }

  /** The user answered an input request (through the store). */
  answerInput(requestId: string): void {
    if (this.#ended) return;
    this.view.pendingInputs = this.view.pendingInputs.filter((input) => input.requestId !== requestId);
  }

  #agentEvent(event: AgentEvent): void {
    switch (event.kind) {
      case 'text_delta':
        return this.#stream('text', event.content as string);
      case 'thinking':
        return this.#stream('reasoning', event.content as string);
      case 'tool_call_start': {
        if (this.#findTool(event.toolCallId as string) !== undefined) return;
        const parts = this.#contentParts();
        this.#closeStreamOf(parts);
        parts.push({
          type: 'tool',
          toolCallId: event.toolCallId as string,
          toolName: event.name as string,
          input: event.arguments as string,
          state: 'input-streaming',
        });
        return;
      }
      case 'tool_call_delta': {
        const part = this.#tool(event.toolCallId as string, '');
        if (part.state === 'input-streaming') part.input += event.arguments as string;
        return;
      }
      case 'tool_call_end': {
        const part = this.#tool(event.toolCallId as string, '');
        if (part.state !== 'input-streaming') return;
        this.#parseInput(part);
        part.state = 'input-available';
        return;
      }
      case 'tool_result':
        return this.#result(this.#tool(event.toolCallId as string, ''), event.result as string);
      case 'step_complete': {
        const open = this.#openMessage();
        if (open !== undefined) this.#closeStream(open);
        return;
      }
      case 'message_complete': {
        const open = this.#openMessage();
        if (open === undefined) return; // nothing open: no empty bubble
        open.id = event.messageId as string;
        this.#closeStream(open);
        open.complete = true;
        return;
      }
    }
  }

  /** Text and reasoning grow the part they continue; anything else closes it and starts a new one. */
  #stream(type: 'text' | 'reasoning', content: string): void {
    if (content === '') return;
    const parts = this.#contentParts();
    const last = parts.at(-1);
    if (last !== undefined && last.type === type && last.state === 'streaming') {
      last.text += content;
      return;
    }
    this.#closeStreamOf(parts);
    parts.push({ type, text: content, state: 'streaming' });
  }

  /** A tool outcome decoded from the result string; the first outcome is final. */
  #result(part: ToolPart, result: string): void {
    if (part.state.startsWith('output-')) return;
    const parsed = parse(result);
    const value = parsed.ok ? parsed.value : undefined;
    const record =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined;
    const denied = part.approval?.approved === false || record?.denied === true;
    const errorText = typeof record?.error === 'string' ? record.error : undefined;
    // A result tells how an approval nobody answered here was answered.
    if (part.approval !== undefined && part.approval.approved === undefined)
      part.approval = { ...part.approval, approved: !denied };
    part.output = result;
    if (parsed.ok) part.parsedOutput = parsed.value;
    if (denied) part.state = 'output-denied';
    else if (errorText !== undefined) {
      part.errorText = errorText;
      part.state = 'output-error';
    } else part.state = 'output-available';
  }

  /** `running` means every request was answered; a terminal status means none can be any more. */
  #status(status: string): void {
    this.view.status = status;
    if (TERMINAL.includes(status)) this.#ended = true;
    if (status !== 'running' && !TERMINAL.includes(status)) return;
    this.view.pendingInputs = [];
    if (status !== 'running') return;
    for (const message of this.view.messages)
      for (const part of message.parts)
        if (part.type === 'tool' && part.state === 'approval-requested') part.state = 'approval-responded';
  }

  #parseInput(part: ToolPart): void {
    const parsed = parse(part.input);
    if (parsed.ok) part.parsedInput = parsed.value;
  }

  #findTool(toolCallId: string): ToolPart | undefined {
    for (const message of this.view.messages)
      for (const part of message.parts)
        if (part.type === 'tool' && part.toolCallId === toolCallId) return part;
    return undefined;
  }

  /** The tool part with this id; an id never seen (a resume that starts mid-call) gets a new part. */
  #tool(toolCallId: string, toolName: string): ToolPart {
    const known = this.#findTool(toolCallId);
    if (known !== undefined) return known;
    const parts = this.#contentParts();
    this.#closeStreamOf(parts);
    const part: ToolPart = { type: 'tool', toolCallId, toolName, input: '', state: 'input-streaming' };
    parts.push(part);
    return part;
  }

  #openMessage(): Message | undefined {
    const last = this.view.messages.at(-1);
    return last !== undefined && !last.complete ? last : undefined;
  }

  /** The parts new content goes to: the open message's, or a new message's. */
  #contentParts(): Part[] {
    const open = this.#openMessage();
    if (open !== undefined) return open.parts;
    const message: Message = {
      id: `msg-${this.view.messages.length + 1}`,
      role: 'assistant',
      parts: [],
      complete: false,
    };
    this.view.messages.push(message);
    return message.parts;
  }

  #closeStream(message: Message): void {
    this.#closeStreamOf(message.parts);
  }

  #closeStreamOf(parts: Part[]): void {
    const last = parts.at(-1);
    if (last !== undefined && last.type !== 'tool') last.state = 'done';
  }
}
