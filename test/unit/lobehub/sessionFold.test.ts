import {
  createSessionFold,
  initialSessionView,
  type SessionFrame,
  type SessionView,
} from 'agent-gateway-client';
import { foldLobeHubEvent } from 'agent-gateway-client/lobehub';
import { describe, expect, it } from 'vitest';

const fold = createSessionFold(foldLobeHubEvent, 'op-1');
let nextId = 0;
/** An agent_event frame of LobeHub's shape, of operation `op-1` unless told otherwise. */
const event = (type: string, data: unknown = {}, operationId = 'op-1'): SessionFrame =>
  ({
    type: 'agent_event',
    id: String(++nextId),
    event: { type, data, operationId, stepIndex: 0, timestamp: 1 },
  }) as unknown as SessionFrame;
const foldAll = (frames: SessionFrame[], from: SessionView = initialSessionView) => frames.reduce(fold, from);
const text = (content: string) => event('stream_chunk', { chunkType: 'text', content });

describe('LobeHub’s events folded into the session view', () => {
  it('each step’s stream_start opens its assistant message under the server’s id', () => {
    const view = foldAll([
      event('agent_runtime_init', { status: 'idle' }),
      event('step_start', {}),
      event('stream_start', { assistantMessage: { id: 'msg_a', role: 'assistant' } }),
      event('stream_chunk', { chunkType: 'reasoning', reasoning: 'Thinking ' }),
      event('stream_chunk', { chunkType: 'reasoning', reasoning: 'hard.' }),
      text('Hello '),
      text('world.'),
      event('stream_end', { finalContent: 'Hello world.' }),
      event('step_complete', {}),
      event('step_start', {}),
      event('stream_start', { assistantMessage: { id: 'msg_b' } }),
      text('Second.'),
    ]);
    expect(view.messages.map((message) => [message.id, message.complete])).toEqual([
      ['msg_a', true],
      ['msg_b', false],
    ]);
    expect(view.messages[0]?.parts).toEqual([
      { type: 'reasoning', text: 'Thinking hard.', state: 'done' },
      { type: 'text', text: 'Hello world.', state: 'done' },
    ]);
    expect(view.messages[1]?.parts).toEqual([{ type: 'text', text: 'Second.', state: 'streaming' }]);
  });

  it('a replace snapshot replaces the text so far instead of adding to it', () => {
    const view = foldAll([
      text('Hel'),
      event('stream_chunk', {
        chunkType: 'text',
        content: 'Hello there',
        snapshotMode: 'replace',
        snapshotSeq: 2,
      }),
    ]);
    expect(view.messages[0]?.parts).toEqual([{ type: 'text', text: 'Hello there', state: 'streaming' }]);
  });

  it('tool calls: the full list while arguments stream, tool_start, then tool_end with its outcome', () => {
    const call = (args: string) => ({
      id: 'call_1',
      apiName: 'getWeather',
      identifier: 'weather',
      arguments: args,
    });
    const streaming = foldAll([
      event('stream_start', { assistantMessage: { id: 'msg_a' } }),
      event('stream_chunk', { chunkType: 'tools_calling', toolsCalling: [call('{"ci')] }),
      event('stream_chunk', { chunkType: 'tools_calling', toolsCalling: [call('{"city":"Paris"}')] }),
    ]);
    expect(streaming.messages[0]?.parts[0]).toMatchObject({
      type: 'tool',
      toolCallId: 'call_1',
      toolName: 'getWeather',
      input: '{"city":"Paris"}',
      state: 'input-streaming',
    });
    const started = foldAll(
      [
        event('stream_end', {}),
        event('tool_start', { parentMessageId: 'msg_a', toolCalling: call('{"city":"Paris"}') }),
      ],
      streaming,
    );
    expect(started.messages[0]?.parts[0]).toMatchObject({
      state: 'input-available',
      parsedInput: { city: 'Paris' },
    });
    const ended = foldAll(
      [
        event('tool_end', {
          isSuccess: true,
          payload: { parentMessageId: 'msg_a', toolCalling: call('{"city":"Paris"}') },
          result: { content: '{"tempC":21}', success: true },
        }),
      ],
      started,
    );
    expect(ended.messages[0]?.parts[0]).toMatchObject({
      state: 'output-available',
      output: '{"tempC":21}',
      parsedOutput: { tempC: 21 },
    });
  });

  it('a failed tool is an output error with its message; a tool blocked before it started is created', () => {
    const view = foldAll([
      event('tool_end', {
        isSuccess: false,
        payload: { toolCalling: { id: 'call_9', apiName: 'rm', identifier: 'shell' } },
        result: { error: { message: 'not allowed' }, success: false },
      }),
    ]);
    expect(view.messages[0]?.parts[0]).toMatchObject({
      toolCallId: 'call_9',
      toolName: 'rm',
      state: 'output-error',
      errorText: 'not allowed',
    });
  });

  it('tool_execute marks the call as the client’s to run', () => {
    const view = foldAll([
      event('tool_execute', {
        toolCallId: 'call_2',
        apiName: 'readFile',
        identifier: 'local-system',
        arguments: '{"path":"a.txt"}',
        executionTimeoutMs: 30_000,
      }),
    ]);
    expect(view.messages[0]?.parts[0]).toMatchObject({
      toolCallId: 'call_2',
      toolName: 'readFile',
      state: 'input-available',
      parsedInput: { path: 'a.txt' },
      runsOnClient: true,
    });
  });

  it('a human_approval step asks for the pending tools’ approval', () => {
    const view = foldAll([
      event('step_start', {
        phase: 'human_approval',
        requiresApproval: true,
        pendingToolsCalling: [
          { id: 'call_3', apiName: 'sendMail', identifier: 'mail', arguments: '{"to":"x"}' },
        ],
      }),
    ]);
    expect(view.messages[0]?.parts[0]).toMatchObject({
      toolCallId: 'call_3',
      state: 'approval-requested',
      approval: { tool: { apiName: 'sendMail', identifier: 'mail', arguments: '{"to":"x"}' } },
    });
  });

  it('an intervention request is an input request with its questions; its response removes it', () => {
    const questions = [
      {
        header: 'Day',
        question: 'Which day?',
        multiSelect: false,
        options: [{ label: 'Friday' }, { label: 'Saturday', id: 's' }],
      },
    ];
    const asked = foldAll([
      event('agent_intervention_request', {
        toolCallId: 'call_q',
        apiName: 'askUserQuestion',
        identifier: 'claude-code',
        arguments: JSON.stringify({ questions }),
        deadline: 1,
      }),
    ]);
    expect(asked.pendingInputs).toEqual([
      { requestId: 'call_q', prompt: 'Which day?', eventId: '', questions },
    ]);
    expect(
      foldAll([event('agent_intervention_response', { toolCallId: 'call_q', result: 'Friday' })], asked)
        .pendingInputs,
    ).toEqual([]);
  });

  it.each([
    ['done', 'completed'],
    ['error', 'error'],
    ['interrupted', 'interrupted'],
    ['waiting_for_human', 'waiting_confirmation'],
  ])('the operation’s agent_runtime_end (%s) ends the session with status %s', (reason, status) => {
    const view = foldAll([text('Hi'), event('agent_runtime_end', { reason })]);
    expect(view).toMatchObject({ complete: true, status });
    expect(view.messages[0]).toMatchObject({ complete: true, parts: [{ state: 'done' }] });
  });

  it('an error event is a session error that ends the session', () => {
    const view = foldAll([
      event('error', { error: 'Rate limited', errorType: 'ProviderBizError', phase: 'llm_execution' }),
    ]);
    expect(view.errors).toEqual([{ eventId: '', code: 'ProviderBizError', message: 'Rate limited' }]);
    expect(view).toMatchObject({ complete: true, status: 'error' });
  });

  it('a group member’s events are that member’s: they change nothing in this operation’s view', () => {
    const view = foldAll([
      text('Mine'),
      event('stream_chunk', { chunkType: 'text', content: 'theirs' }, 'op-member'),
    ]);
    const ended = foldAll([event('agent_runtime_end', { reason: 'done' }, 'op-member')], view);
    expect(ended).toBe(view);
    expect(view.messages[0]?.parts).toEqual([{ type: 'text', text: 'Mine', state: 'streaming' }]);
  });

  it('events this view does not use leave it as it is', () => {
    const view = foldAll([text('x')]);
    for (const type of ['notify_update', 'stream_retry', 'message_patch', 'brand_new']) {
      expect(fold(view, event(type, {}))).toBe(view);
    }
  });

  it('the gateway’s own frames (status_change, input_request, session_complete) fold as in the original protocol', () => {
    const view = foldAll([
      { type: 'status_change', id: 's', status: 'waiting_input' },
      { type: 'input_request', id: 'i', requestId: 'r1', prompt: 'Which day?' },
    ] as SessionFrame[]);
    expect(view).toMatchObject({ status: 'waiting_input', pendingInputs: [{ requestId: 'r1' }] });
  });
});
