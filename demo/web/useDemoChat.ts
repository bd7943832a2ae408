import type { ClientDialect } from 'agent-gateway-client';
import type { GatewayChatTransport } from 'agent-gateway-client/ai-sdk';
import { useEffect, useMemo, useState } from 'react';
import { createDemoChat, createDemoTransport } from './aiSdkChat.js';

/**
 * The page's AI SDK chat: one transport per gateway (disposed with it, so StrictMode's second
 * mount gets a live one) and one `Chat` per page session, which replays the session the page shows
 * (`chatKey`) until it starts a run of its own; `onRunStarted` hands that run's chatKey to the page.
 */
export function useDemoChat(
  gatewayUrl: string | undefined,
  dialect: ClientDialect | undefined,
  chatId: string,
  chatKey: string,
  onRunStarted: (chatKey: string) => void,
) {
  const [chatKeys] = useState(() => new Map<string, string>());
  // Idempotent: a chat keeps the session it was opened on until it starts a run.
  if (!chatKeys.has(chatId)) chatKeys.set(chatId, chatKey);
  const [transport, setTransport] = useState<GatewayChatTransport>();
  useEffect(() => {
    if (gatewayUrl === undefined) return;
    const created = createDemoTransport(gatewayUrl, dialect, {
      chatKeyOf: (id) => chatKeys.get(id),
      onRunStarted: (id, key) => {
        chatKeys.set(id, key);
        onRunStarted(key);
      },
    });
    setTransport(created);
    return () => created.dispose();
  }, [gatewayUrl, dialect, chatKeys, onRunStarted]);
  const chat = useMemo(() => transport && createDemoChat(chatId, transport), [chatId, transport]);
  return { transport, chat };
}
