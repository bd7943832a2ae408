import {
  appendStream,
  closeStream,
  editOpenMessage,
  editTool,
  endSession,
  mapParts,
  openMessage,
  parseInput,
  replaceStream,
  requestApproval,
  withParts,
} from '../../machines/session.edits.js';
import type { InputQuestion, SessionView, ToolUIPart } from '../../machines/session.types.js';
import { answerInputRequest } from '../../machines/session.view.js';
import type { SessionStatus } from '../protocol/types.js';

type Fields = Record<string, unknown>;

const record = (value: unknown): Fields | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
const string = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The status an `agent_runtime_end` leaves: its `reason`, in the session's vocabulary. */
function statusOfEnd(reason: unknown): SessionStatus {
  if (reason === 'error') return 'error';
  if (reason === 'interrupted' || reason === 'cancelled') return 'interrupted';
  // The run paused for a human: in LobeHub the approval starts a new operation.
  if (reason === 'waiting_for_human') return 'waiting_confirmation';
  return 'completed';
}

/** A tool call as LobeHub's events describe it (`toolsCalling` entries, `toolCalling`, `tool_execute` data). */
interface ToolCall {
  id: string;
  name: string;
  arguments: string | undefined;
  identifier: string;
}

function toolCallOf(value: unknown): ToolCall | undefined {
  const fields = record(value);
  const id = string(fields?.id) ?? string(fields?.toolCallId);
  if (fields === undefined || id === undefined) return undefined;
  const identifier = string(fields.identifier) ?? '';
  return { id, name: string(fields.apiName) ?? identifier, arguments: string(fields.arguments), identifier };
}

const isSettled = (part: ToolUIPart) => part.state.startsWith('output-');

/** Closes the open message's streaming part (a step or a stream ended). */
const closeStreams = (view: SessionView) =>
  editOpenMessage(view, (message) => withParts(message, closeStream(message.parts)));

/** Tool calls whose arguments stopped streaming: complete, parsed. */
const completeInputs = (view: SessionView) =>
  mapParts(view, (part) =>
    part.type === 'tool' && part.state === 'input-streaming'
      ? { ...part, ...parseInput(part.input), state: 'input-available' }
      : part,
  );

/**
 * Folds one of LobeHub's agent events (protocol v1) into the session view, the way the original
 * protocol's events are folded (docs/lobehub.md, "The session view"): `stream_start` opens the step's
 * assistant message under its id; text, reasoning and tool-call chunks fill it (a `replace` snapshot
 * replaces); `tool_start`, `tool_execute` and `tool_end` move its tool calls along; a
 * `human_approval` step asks for approvals; interventions are input requests with questions; the
 * operation's own `agent_runtime_end` or `error` ends the session. A group member's events
 * (another `operationId`) belong to that member and are left out.
 */
export function foldLobeHubEvent(view: SessionView, agentEvent: unknown, operationId: string): SessionView {
  const event = record(agentEvent);
  if (event === undefined) return view;
  const owner = string(event.operationId);
  if (owner !== undefined && operationId !== '' && owner !== operationId) return view;
  const data = record(event.data) ?? {};
  switch (event.type) {
    case 'stream_start': {
      const id = string(record(data.assistantMessage)?.id);
      if (id === undefined) return closeStreams(view);
      return view.messages.some((message) => message.id === id) ? view : openMessage(view, id);
    }
    case 'stream_chunk':
      return foldChunk(view, data);
    case 'stream_end':
    case 'visible_output_end':
      return completeInputs(closeStreams(view));
    case 'step_start':
      return data.phase === 'human_approval'
        ? requestApprovals(closeStreams(view), data)
        : closeStreams(view);
    case 'step_complete':
      return closeStreams(view);
    case 'tool_start':
    case 'tool_execute':
      return startTool(view, event.type, event.type === 'tool_start' ? data.toolCalling : data);
    case 'tool_end':
      return endTool(view, data);
    case 'agent_intervention_request':
      return askQuestions(view, data, string(event.id) ?? '');
    case 'agent_intervention_response':
      return answerInputRequest(view, string(data.toolCallId) ?? '');
    case 'agent_runtime_end':
      return endSession(completeInputs(view), statusOfEnd(data.reason));
    case 'error': {
      const message = string(data.error) ?? string(data.message) ?? string(record(data.error)?.message);
      const error = {
        eventId: string(event.id) ?? '',
        code: string(data.errorType) ?? string(data.type) ?? 'error',
        message: message ?? 'The agent failed',
      };
      return endSession({ ...view, errors: [...view.errors, error] }, 'error');
    }
    default:
      return view;
  }
}

function foldChunk(view: SessionView, data: Fields): SessionView {
  const replace = data.snapshotMode === 'replace';
  switch (data.chunkType) {
    case 'text': {
      const content = string(data.content) ?? '';
      return replace ? replaceStream(view, 'text', content) : appendStream(view, 'text', content);
    }
    case 'reasoning': {
      const content = string(data.reasoning) ?? string(data.content) ?? '';
      return replace ? replaceStream(view, 'reasoning', content) : appendStream(view, 'reasoning', content);
    }
    case 'tools_calling':
      // The whole list so far, not a delta: each call's arguments are replaced while they stream.
      return (Array.isArray(data.toolsCalling) ? data.toolsCalling : []).reduce<SessionView>(
        (next, entry) => {
          const call = toolCallOf(entry);
          if (call === undefined) return next;
          return editTool(next, call.id, call.name, (part) =>
            part.state === 'input-streaming' && call.arguments !== undefined && part.input !== call.arguments
              ? { ...part, input: call.arguments }
              : part,
          );
        },
        view,
      );
    default:
      return view;
  }
}

function startTool(view: SessionView, type: 'tool_start' | 'tool_execute', value: unknown): SessionView {
  const call = toolCallOf(value);
  if (call === undefined) return view;
  return editTool(view, call.id, call.name, (part) => {
    if (isSettled(part)) return part;
    const input = call.arguments ?? part.input;
    const started: ToolUIPart = { ...part, input, ...parseInput(input), state: 'input-available' };
    // A tool already waiting on its approval keeps waiting: starting it is the gateway's business.
    if (part.state === 'approval-requested' || part.state === 'approval-responded')
      return type === 'tool_execute' ? { ...part, runsOnClient: true } : part;
    return type === 'tool_execute' ? { ...started, runsOnClient: true } : started;
  });
}

function endTool(view: SessionView, data: Fields): SessionView {
  const call = toolCallOf(record(data.payload)?.toolCalling) ?? toolCallOf(data.payload) ?? toolCallOf(data);
  if (call === undefined) return view;
  const result = record(data.result);
  const content = result?.content;
  const output = typeof content === 'string' ? content : content === undefined ? '' : JSON.stringify(content);
  return editTool(view, call.id, call.name, (part) => {
    if (isSettled(part)) return part;
    const settled = { ...part, output, ...(output === '' ? {} : outputOf(output)) };
    if (data.isSuccess === true) return { ...settled, state: 'output-available' };
    if (part.approval?.approved === false) return { ...settled, state: 'output-denied' };
    const error = result?.error;
    const errorText = string(record(error)?.message) ?? string(error) ?? 'The tool failed';
    return { ...settled, errorText, state: 'output-error' };
  });
}

function outputOf(output: string): { parsedOutput?: unknown } {
  const { parsedInput } = parseInput(output);
  return parsedInput === undefined ? {} : { parsedOutput: parsedInput };
}

function requestApprovals(view: SessionView, data: Fields): SessionView {
  const pending = Array.isArray(data.pendingToolsCalling) ? data.pendingToolsCalling : [];
  return pending.reduce<SessionView>((next, entry) => {
    const call = toolCallOf(entry);
    if (call === undefined) return next;
    const seeded = editTool(next, call.id, call.name, (part) => part);
    return requestApproval(seeded, call.id, {
      apiName: call.name,
      arguments: call.arguments ?? '',
      identifier: call.identifier,
      name: call.name,
    });
  }, view);
}

function askQuestions(view: SessionView, data: Fields, eventId: string): SessionView {
  const requestId = string(data.toolCallId);
  if (requestId === undefined || view.pendingInputs.some((input) => input.requestId === requestId))
    return view;
  const questions = questionsOf(string(data.arguments));
  const prompt = questions.map((question) => question.question).join('\n') || (string(data.apiName) ?? '');
  return { ...view, pendingInputs: [...view.pendingInputs, { requestId, prompt, eventId, questions }] };
}

/** The questions an intervention's JSON arguments hold, leniently (for display). */
function questionsOf(json: string | undefined): InputQuestion[] {
  const parsed = json === undefined ? undefined : parseInput(json).parsedInput;
  const list = record(parsed)?.questions;
  if (!Array.isArray(list)) return [];
  return list.flatMap((value) => {
    const fields = record(value);
    const question = string(fields?.question);
    if (fields === undefined || question === undefined) return [];
    const options = (Array.isArray(fields.options) ? fields.options : []).flatMap((option) => {
      const label = string(record(option)?.label);
      if (label === undefined) return [];
      const id = string(record(option)?.id);
      const description = string(record(option)?.description);
      return [
        { label, ...(id === undefined ? {} : { id }), ...(description === undefined ? {} : { description }) },
      ];
    });
    return [
      { question, header: string(fields.header) ?? '', multiSelect: fields.multiSelect === true, options },
    ];
  });
}
