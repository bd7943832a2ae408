import { request } from 'node:http';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { useChat, type UseChatOptions } from '@ai-sdk/react';
import { useChat as useChatV4 } from '@ai-sdk/react-v4';
import type { UIMessage } from 'ai';
import type { ChatTransport as ChatTransportV7, UIMessage as UIMessageV7 } from 'ai-v7';
import {
  createGatewayChatTransport,
  type GatewayChatTransport,
  type GatewayChatTransportOptions,
} from 'agent-gateway-client/ai-sdk';
import {
  createDemoAgent,
  createGatewayServer,
  createSessionToken,
  createTokenVerifier,
  type GatewayServer,
} from 'agent-gateway-client/server';
import { afterEach, expect } from 'vitest';
import { WebSocket } from 'ws';

const SECRET = 'ai-sdk-test-secret-of-at-least-32-bytes';
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  cleanup();
  for (const run of cleanups.splice(0).reverse()) await run();
});

/** A token the test gateways accept for a chatKey. */
export const tokenFor = (chatKey: string) => createSessionToken({ secret: SECRET, chatKey });

/** The real gateway on 127.0.0.1 with `POST /runs` and the demo agent (closed after the test). */
export async function startGateway(tokensPerSecond = 0): Promise<GatewayServer> {
  const gateway = await createGatewayServer({
    verifyToken: createTokenVerifier(SECRET),
    agent: createDemoAgent({ tokensPerSecond }),
    runs: true,
  });
  cleanups.push(() => gateway.close());
  return gateway;
}

// Node's HTTP client: happy-dom's fetch would apply a page's CORS rules to this backend call.
function post(url: string, body: unknown, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    req.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** The text of a UI message's text parts. */
export const promptOf = (messages: UIMessage[]) =>
  messages
    .at(-1)
    ?.parts.map((part) => (part.type === 'text' ? part.text : ''))
    .join('') ?? '';

/**
 * The transport as an app would build it: `startRun` plays the app's backend (a new chatKey per run,
 * `POST /runs` on the gateway with a token for it); the clients use `ws` and fast reconnects.
 */
export function gatewayTransport(
  gateway: GatewayServer,
  overrides: Partial<GatewayChatTransportOptions> = {},
): { transport: GatewayChatTransport; chatKeys: string[] } {
  const chatKeys: string[] = [];
  const transport = createGatewayChatTransport({
    gatewayUrl: gateway.url,
    async startRun({ chatId, messages }) {
      const chatKey = `${chatId}-run-${chatKeys.length + 1}`;
      const response = await post(
        `${gateway.url}/runs`,
        { chatKey, prompt: promptOf(messages) },
        tokenFor(chatKey),
      );
      if (response.status !== 201)
        throw new Error(`POST /runs answered ${response.status}: ${response.body}`);
      chatKeys.push(chatKey);
      return JSON.parse(response.body) as { chatKey: string };
    },
    getToken: tokenFor,
    clientOptions: {
      WebSocket,
      watchEnvironment: false,
      initialReconnectDelayMs: 5,
      maxReconnectDelayMs: 50,
      heartbeatIntervalMs: 2_000,
      logger: { warn: () => undefined, error: (...args) => console.error(...args) },
    },
    ...overrides,
  });
  cleanups.push(() => transport.dispose());
  return { transport, chatKeys };
}

// This package's types are written against the installed `ai` (6 here); against ai 7 they compile
// too (test/unit/ai-sdk/types.test.ts). Both runtimes are driven below.
const asV7 = (transport: GatewayChatTransport) => transport as unknown as ChatTransportV7<UIMessageV7>;

/** `useChat` of @ai-sdk/react 3 (ai 6) and of @ai-sdk/react 4 (ai 7), as one signature. */
export type UseChat = (
  transport: GatewayChatTransport,
  options: Partial<UseChatOptions<UIMessage>>,
) => ReturnType<typeof useChat>;

/** The AI SDK versions the transport is tested with. */
export const AI_SDK_VERSIONS: Array<[string, UseChat]> = [
  ['ai 6 + @ai-sdk/react 3', (transport, options) => useChat({ transport, ...options })],
  [
    'ai 7 + @ai-sdk/react 4',
    (transport, options) =>
      useChatV4({ ...(options as object), transport: asV7(transport) }) as unknown as ReturnType<
        typeof useChat
      >,
  ],
];

/**
 * `useChat` on the transport, recording a copy of every messages array it rendered (the AI SDK
 * keeps writing into the message it is streaming) and its statuses. `send` does not wait for the answer.
 */
export function renderChat(
  useChatOf: UseChat,
  transport: GatewayChatTransport,
  options: Partial<UseChatOptions<UIMessage>> = {},
) {
  const rendered: UIMessage[][] = [];
  const statuses: string[] = [];
  const view = renderHook(() => {
    const chat = useChatOf(transport, {
      id: 'chat-1',
      sendAutomaticallyWhen: transport.sendAutomaticallyWhen,
      ...options,
    });
    rendered.push(JSON.parse(JSON.stringify(chat.messages)) as UIMessage[]);
    if (statuses.at(-1) !== chat.status) statuses.push(chat.status);
    return chat;
  });
  const send = (text: string) =>
    act(() => {
      void view.result.current.sendMessage({ text });
    });
  return { ...view, rendered, statuses, send };
}

/**
 * Answers the demo run in `chat` as a user would: approves `get_weather` once it is asked for, then
 * answers the input request with `day`, waiting for useChat to be ready after each.
 */
export async function answerDemoRun(chat: ReturnType<typeof renderChat>, day: string): Promise<void> {
  const WAIT = { timeout: 10_000 };
  const last = () => chat.result.current.messages.at(-1);
  await waitFor(() => expect(partsOf(last())).toContain('tool:get_weather:approval-requested'), WAIT);
  await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);
  const approval = last()?.parts.find((part) => part.type === 'dynamic-tool');
  if (approval?.type !== 'dynamic-tool' || approval.state !== 'approval-requested')
    throw new Error('No approval');
  await settle(() =>
    chat.result.current.addToolApprovalResponse({ id: approval.approval.id, approved: true }),
  );
  await waitFor(() => expect(partsOf(last())).toContain('tool:user_input:input-available'), WAIT);
  await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);
  const ask = last()?.parts.find((part) => part.type === 'dynamic-tool' && part.toolName === 'user_input');
  await settle(() =>
    chat.result.current.addToolOutput({
      tool: 'user_input',
      toolCallId: (ask as { toolCallId: string }).toolCallId,
      output: day,
    }),
  );
  await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);
}

/** Runs an action of the chat inside `act`, waiting for what it returns (a promise or a thenable). */
export const settle = (action: () => unknown) =>
  act(async () => {
    await action();
  });

/** The parts of the demo agent's whole run (approved, answered), as {@link partsOf} lists them. */
export const DEMO_RUN_PARTS = [
  'step-start',
  'reasoning:done',
  'text:done',
  'step-start',
  'tool:get_weather:output-available',
  'text:done',
  'step-start',
  'tool:user_input:output-available',
  'reasoning:done',
  'text:done',
];

/** Every part of the chat's last message, in order, as `type:state` (tools by name). */
export const partsOf = (message: UIMessage | undefined) =>
  (message?.parts ?? []).map((part) =>
    part.type === 'dynamic-tool'
      ? `tool:${part.toolName}:${part.state}`
      : 'state' in part && part.state !== undefined
        ? `${part.type}:${part.state}`
        : part.type,
  );

/** The text of a message's parts of one type, joined. */
export const textOf = (message: UIMessage | undefined, type: 'text' | 'reasoning' = 'text') =>
  (message?.parts ?? []).map((part) => (part.type === type ? part.text : '')).join('');
