import { Chat } from '@ai-sdk/react';
import { createGatewayChatTransport, type GatewayChatTransport } from 'agent-gateway-client/ai-sdk';
import type { UIMessage } from 'ai';
import type { ClientDialect } from 'agent-gateway-client';

/** The page's token endpoint (the app's backend hands out short-lived tokens). */
export const fetchToken = (chatKey: string) =>
  fetch(`/api/token?chatKey=${encodeURIComponent(chatKey)}`)
    .then((response) => response.json() as Promise<{ token: string }>)
    .then(({ token }) => token);

const promptOf = (messages: UIMessage[]) =>
  messages
    .at(-1)
    ?.parts.map((part) => (part.type === 'text' ? part.text : ''))
    .join('') ?? '';

/**
 * The AI SDK side of the page: one transport for the page's gateway. Its `startRun` asks the page's
 * backend to start a run on the prompt (`/api/runs` → the gateway's `POST /runs`) and tells the page
 * the new chatKey, so the rest of the page follows the same session; `resumeChatKey` gives a chat the
 * session the page shows.
 */
export function createDemoTransport(
  gatewayUrl: string,
  dialect: ClientDialect | undefined,
  page: {
    chatKeyOf(chatId: string): string | undefined;
    onRunStarted(chatId: string, chatKey: string): void;
  },
): GatewayChatTransport {
  return createGatewayChatTransport({
    gatewayUrl,
    async startRun({ chatId, messages }) {
      const response = await fetch('/api/runs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: promptOf(messages) }),
      });
      if (!response.ok) throw new Error(`The backend could not start a run (${response.status})`);
      const { chatKey } = (await response.json()) as { chatKey: string };
      page.onRunStarted(chatId, chatKey);
      return { chatKey };
    },
    getToken: fetchToken,
    resumeChatKey: (chatId) => page.chatKeyOf(chatId),
    clientOptions: {
      initialReconnectDelayMs: 250,
      maxReconnectDelayMs: 4_000,
      ...(dialect ? { dialect } : {}),
    },
  });
}

/** A chat on the transport, kept by the page across tab switches (`useChat({ chat })`). */
export const createDemoChat = (id: string, transport: GatewayChatTransport) =>
  new Chat({ id, transport, sendAutomaticallyWhen: transport.sendAutomaticallyWhen });
