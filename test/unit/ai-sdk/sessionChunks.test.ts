import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import type { SessionFrame } from 'agent-gateway-client';
import { describe, expect, it } from 'vitest';
import { SessionChunks } from '../../../src/ai-sdk/sessionChunks.js';

let nextId = 0;
const frame = (body: Record<string, unknown>) => ({ id: `e${++nextId}`, ...body }) as SessionFrame;
const agent = (event: Record<string, unknown>) => frame({ type: 'agent_event', event });
const text = (content: string) => agent({ kind: 'text_delta', content });
const status = (value: string) => frame({ type: 'status_change', status: value });
const toolCall = (toolCallId: string, args: string) => [
  agent({ kind: 'tool_call_start', toolCallId, name: 'search', arguments: '' }),
  agent({ kind: 'tool_call_delta', toolCallId, arguments: args }),
  agent({ kind: 'tool_call_end', toolCallId }),
];
const end = () => frame({ type: 'session_complete' });

function chunksOf(frames: SessionFrame[], answers: Record<string, string> = {}) {
  const log = new SessionChunks({
    chatKey: 'run',
    inputToolName: 'user_input',
    answerOf: (id) => answers[id],
  });
  for (const each of frames) log.add(each);
  return log;
}

/** What the AI SDK itself builds from a stream of these chunks (it throws on a malformed sequence). */
async function messageOf(chunks: UIMessageChunk[]): Promise<UIMessage> {
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      controller.enqueue({ type: 'start', messageId: 'm' });
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream, terminateOnError: true })) last = message;
  return last as UIMessage;
}

const summary = (message: UIMessage) =>
  message.parts.map((part) =>
    part.type === 'dynamic-tool'
      ? `${part.toolName}:${part.state}`
      : part.type === 'text' || part.type === 'reasoning'
        ? `${part.type}:${part.text}`
        : part.type,
  );

describe('SessionChunks: session frames as AI SDK UI message chunks', () => {
  it('the same frames give the same chunks and ids (a replay rebuilds the same message)', () => {
    const frames = [
      status('running'),
      agent({ kind: 'thinking', content: 'Hmm. ' }),
      text('Hello '),
      text('world'),
      agent({ kind: 'step_complete', stepIndex: 0 }),
      ...toolCall('c1', '{"q":1}'),
      agent({ kind: 'tool_result', toolCallId: 'c1', result: '{"hits":2}' }),
      text('Done.'),
      agent({ kind: 'message_complete', messageId: 'server-1' }),
      status('completed'),
      end(),
    ];
    const once = chunksOf(frames);
    expect(chunksOf(frames).chunks).toEqual(once.chunks);
    expect(once.chunks.map((chunk) => chunk.type)).toEqual([
      'start-step',
      'reasoning-start',
      'reasoning-delta',
      'reasoning-end',
      'text-start',
      'text-delta',
      'text-delta',
      'text-end',
      'finish-step',
      'start-step',
      'tool-input-start',
      'tool-input-delta',
      'tool-input-available',
      'tool-output-available',
      'text-start',
      'text-delta',
      'text-end',
      'finish-step',
    ]);
    expect(once.finalChunk()).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('the AI SDK accepts them: text, reasoning, steps, and tool results decoded as the session model does', async () => {
    const log = chunksOf([
      agent({ kind: 'thinking', content: 'Plan.' }),
      text('Looking. '),
      ...toolCall('ok', '{"a":1}'),
      agent({ kind: 'tool_result', toolCallId: 'ok', result: '{"hits":2}' }),
      ...toolCall('bad', '{}'),
      agent({ kind: 'tool_result', toolCallId: 'bad', result: '{"error":"quota exceeded"}' }),
      ...toolCall('raw', '{}'),
      agent({ kind: 'tool_result', toolCallId: 'raw', result: 'plain text' }),
      text('Found it.'),
      end(),
    ]);
    const message = await messageOf(log.chunks);
    expect(summary(message)).toEqual([
      'step-start',
      'reasoning:Plan.',
      'text:Looking. ',
      'search:output-available',
      'search:output-error',
      'search:output-available',
      'text:Found it.',
    ]);
    const tools = message.parts.filter((part) => part.type === 'dynamic-tool');
    expect(tools.map((tool) => [tool.input, tool.output, tool.errorText, tool.providerExecuted])).toEqual([
      [{ a: 1 }, { hits: 2 }, undefined, true],
      [{}, undefined, 'quota exceeded', true],
      [{}, 'plain text', undefined, true],
    ]);
  });

  it('an approval is a wait: text closes before it; a rejection ends denied', async () => {
    const request = frame({
      type: 'tool_confirmation_request',
      toolCallId: 'c1',
      tool: { apiName: 'search', arguments: '{"q":1}', identifier: 'search', name: 'Search' },
    });
    const log = chunksOf([
      text('Let me search.'),
      ...toolCall('c1', '{"q":1}'),
      status('waiting_confirmation'),
      request,
    ]);
    expect(log.waits()).toEqual([{ kind: 'approval', toolCallId: 'c1' }]);
    expect(log.chunks.at(-1)).toEqual({
      type: 'tool-approval-request',
      approvalId: 'run:c1',
      toolCallId: 'c1',
    });
    const atWait = log.chunks.length;
    expect(log.positionAfter({ kind: 'approval', toolCallId: 'c1' })).toBe(atWait);
    log.add(status('running'));
    log.add(agent({ kind: 'tool_result', toolCallId: 'c1', result: '{"denied":true}' }));
    expect(log.waits()).toEqual([]);
    expect(log.chunks.slice(atWait)).toEqual([{ type: 'tool-output-denied', toolCallId: 'c1' }]);
    expect(summary(await messageOf(log.chunks))).toEqual([
      'step-start',
      'text:Let me search.',
      'search:output-denied',
    ]);
  });

  it('a tool first seen in its approval request (a resume mid-call) is built whole', () => {
    const log = chunksOf([
      frame({
        type: 'tool_confirmation_request',
        toolCallId: 'c9',
        tool: {
          apiName: 'files.delete',
          arguments: '{"path":"/tmp"}',
          identifier: 'delete_file',
          name: 'Delete',
        },
      }),
    ]);
    expect(log.chunks).toEqual([
      { type: 'start-step' },
      {
        type: 'tool-input-start',
        toolCallId: 'c9',
        toolName: 'delete_file',
        dynamic: true,
        providerExecuted: true,
      },
      { type: 'tool-input-delta', toolCallId: 'c9', inputTextDelta: '{"path":"/tmp"}' },
      {
        type: 'tool-input-available',
        toolCallId: 'c9',
        toolName: 'delete_file',
        input: { path: '/tmp' },
        dynamic: true,
        providerExecuted: true,
      },
      { type: 'tool-approval-request', approvalId: 'run:c9', toolCallId: 'c9' },
    ]);
  });

  it('an input request is a user_input tool; text open at it continues as a new part after the answer', async () => {
    const frames = [
      text('Which city? '),
      status('waiting_input'),
      frame({ type: 'input_request', requestId: 'r1', prompt: 'City?' }),
    ];
    const log = new SessionChunks({
      chatKey: 'run',
      inputToolName: 'user_input',
      answerOf: (id) => (id === 'r1' ? 'Lyon' : undefined),
    });
    for (const each of frames) log.add(each);
    expect(log.waits()).toEqual([{ kind: 'input', requestId: 'r1' }]);
    log.add(status('running'));
    log.add(text('Lyon it is.'));
    log.add(end());
    const message = await messageOf(log.chunks);
    expect(summary(message)).toEqual([
      'step-start',
      'text:Which city? ',
      'user_input:output-available',
      'text:Lyon it is.',
    ]);
    const ask = message.parts.find((part) => part.type === 'dynamic-tool');
    expect(ask).toMatchObject({ toolCallId: 'run:r1', input: { prompt: 'City?' }, output: 'Lyon' });
    expect(ask?.providerExecuted).toBeUndefined();
    expect(log.chunks.filter((chunk) => chunk.type === 'text-start')).toEqual([
      { type: 'text-start', id: 'text-0-0' },
      { type: 'text-start', id: 'text-0-0-1' },
    ]);
  });

  it('the end: interrupted finishes as other, error as an error chunk; error frames are data parts; an unanswered input fails', async () => {
    const interrupted = chunksOf([text('Hi'), status('interrupted'), end()]);
    expect(interrupted.finalChunk()).toEqual({ type: 'finish', finishReason: 'other' });
    const failed = chunksOf([
      text('Hi'),
      frame({ type: 'input_request', requestId: 'r1', prompt: 'City?' }),
      frame({ type: 'error', code: 'agent_failed', message: 'The model is down' }),
      status('error'),
      end(),
    ]);
    expect(failed.ended).toBe(true);
    expect(failed.finalChunk()).toEqual({ type: 'error', errorText: 'The model is down' });
    const message = await messageOf(failed.chunks);
    expect(summary(message)).toEqual([
      'step-start',
      'text:Hi',
      'user_input:output-error',
      'data-gateway-error',
    ]);
    expect(message.parts.at(-1)).toMatchObject({
      data: { code: 'agent_failed', message: 'The model is down' },
    });
  });
});
