// @vitest-environment happy-dom
import { waitFor } from '@testing-library/react';
import { AgentGatewayClient } from 'agent-gateway-client';
import type { GatewayChatTransportOptions } from 'agent-gateway-client/ai-sdk';
import { demoAnswerText, type GatewayServer } from 'agent-gateway-client/server';
import { describe, expect, it } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import {
  AI_SDK_VERSIONS,
  answerDemoRun,
  DEMO_RUN_PARTS,
  gatewayTransport,
  partsOf,
  renderChat,
  settle,
  startGateway,
  textOf,
  tokenFor,
} from './support.js';

const WAIT = { timeout: 10_000 };

type Listener = (event: unknown) => void;
/**
 * `ws` as a browser delivers it: each socket event in a task of its own, in order. (`ws` emits every
 * frame of a TCP read in one go, so nothing else ever runs in the middle of a replay.)
 */
class TaskPerEventWebSocket extends WebSocket {
  readonly #wrapped = new Map<Listener, Listener>();
  readonly #queue: Array<() => void> = [];
  constructor(url: string, protocols?: string | string[], options?: ClientOptions) {
    super(url, protocols, options);
  }
  #next = () => {
    this.#queue.shift()?.();
    if (this.#queue.length > 0) setTimeout(this.#next, 0);
  };
  override addEventListener(type: never, listener: never): void {
    const wrapped: Listener = (event) => {
      this.#queue.push(() => (listener as Listener)(event));
      if (this.#queue.length === 1) setTimeout(this.#next, 0);
    };
    this.#wrapped.set(listener, wrapped);
    super.addEventListener(type, wrapped as never);
  }
  override removeEventListener(type: never, listener: never): void {
    super.removeEventListener(type, (this.#wrapped.get(listener) ?? listener) as never);
  }
}

/** What the demo's useAgentGateway tab does: approve, answer 'Saturday', see the session end. */
async function finishElsewhere(gateway: GatewayServer, chatKey: string) {
  const client = new AgentGatewayClient({
    gatewayUrl: gateway.url,
    getToken: () => tokenFor(chatKey),
    WebSocket,
    watchEnvironment: false,
  });
  client.on(
    'tool_confirmation_request',
    ({ toolCallId }) => void client.sendToolConfirmation(toolCallId, true),
  );
  client.on('input_request', ({ requestId }) => void client.sendUserInput(requestId, 'Saturday'));
  const ended = new Promise<void>((resolve) => client.on('session_complete', () => resolve()));
  client.connect(chatKey);
  await ended;
  client.dispose();
}

describe.each(AI_SDK_VERSIONS)('%s', (_version, useChatOf) => {
  describe.each([
    ['frames as ws emits them', WebSocket],
    ['each frame in a task of its own (a browser)', TaskPerEventWebSocket],
  ])('a run that finished elsewhere, resumed by useChat (%s)', (_delivery, SocketClass) => {
    it('nothing answered is offered again, every part is shown once, nothing is sent', async () => {
      const gateway = await startGateway(0);
      const chatKey = 'page-session';
      await finishElsewhere(gateway, chatKey);
      const clientOptions = {
        WebSocket: SocketClass,
        watchEnvironment: false,
        initialReconnectDelayMs: 5,
        maxReconnectDelayMs: 50,
      } as GatewayChatTransportOptions['clientOptions'];
      const { transport } = gatewayTransport(gateway, { resumeChatKey: () => chatKey, clientOptions });
      const chat = renderChat(useChatOf, transport, { resume: true });
      await waitFor(
        () => expect(chat.statuses.length > 2 && chat.statuses.at(-1) === 'ready').toBe(true),
        WAIT,
      );
      const link = transport.getClient('chat-1');
      await waitFor(() => expect(link?.getSnapshot().disconnectReason).toBe('sessionComplete'), WAIT);
      await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);

      const messages = chat.result.current.messages;
      expect(messages.map((m) => m.role)).toEqual(['assistant']);
      expect(partsOf(messages[0])).toEqual(DEMO_RUN_PARTS);
      expect(textOf(messages[0])).toBe(demoAnswerText(true, 'Saturday'));
      // useChat sends a follow-up on its own only when this says so.
      expect(transport.sendAutomaticallyWhen({ messages })).toBe(false);
      // A follow-up the user sends anyway adds nothing either.
      await settle(() => chat.result.current.sendMessage());
      await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);
      expect(partsOf(chat.result.current.messages.at(-1))).toEqual(DEMO_RUN_PARTS);
      const commands = gateway.session(chatKey)?.received.map(({ frame }) => frame.type);
      expect(commands).toEqual(['tool_confirmation', 'user_input']);
    });
  });

  it('a follow-up after the run ended in this chat writes nothing again', async () => {
    const gateway = await startGateway(0);
    const { transport } = gatewayTransport(gateway);
    const chat = renderChat(useChatOf, transport);
    const last = () => chat.result.current.messages.at(-1);
    await settle(() => chat.result.current.sendMessage({ text: 'Plan my weekend in Paris' }));
    await answerDemoRun(chat, 'Sunday');
    await waitFor(() => expect(partsOf(last())).toEqual(DEMO_RUN_PARTS), WAIT);
    await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);

    await settle(() => chat.result.current.sendMessage());
    await waitFor(() => expect(chat.result.current.status).toBe('ready'), WAIT);
    expect(partsOf(last())).toEqual(DEMO_RUN_PARTS);
    expect(textOf(last())).toBe(demoAnswerText(true, 'Sunday'));
  });
});
