import type { ClientDialect } from 'agent-gateway-client';
import { lobehubDialect } from 'agent-gateway-client/lobehub';
import { useAgentGateway } from 'agent-gateway-client/react';
import { useCallback, useEffect, useState } from 'react';
import { AiSdkView } from './AiSdkView.js';
import { fetchToken } from './aiSdkChat.js';
import { Conversation } from './Conversation.js';
import { MachineDiagram } from './MachineDiagram.js';
import { TransitionLog } from './TransitionLog.js';
import { closeInspector, inspect, openInspector } from './inspector.js';
import { useDemoChat } from './useDemoChat.js';

const newChatKey = () => `demo-${Math.random().toString(36).slice(2, 8)}`;

type View = 'hook' | 'ai-sdk';

/** What the page's backend says about its gateway (`/api/config`). */
interface DemoConfig {
  gatewayUrl: string;
  /** The gateway's dialect: `lobehub` is followed with `lobehubDialect`, the others with the default. */
  dialect: 'reference' | 'original' | 'lobehub';
}

const clientDialectOf = (config: DemoConfig | undefined): ClientDialect | undefined =>
  config?.dialect === 'lobehub' ? lobehubDialect : undefined;

/**
 * The demo: one session of the scripted agent, rendered by `useAgentGateway` or by the AI SDK's
 * `useChat` through the gateway transport, its connection machine live, and fault controls.
 */
export function App() {
  const [config, setConfig] = useState<DemoConfig>();
  const gatewayUrl = config?.gatewayUrl;
  const dialect = clientDialectOf(config);
  const [chatKey, setChatKey] = useState(
    () => new URLSearchParams(location.search).get('chatKey') ?? newChatKey(),
  );
  const [inspecting, setInspecting] = useState(false);
  const [view, setView] = useState<View>('hook');
  // The AI SDK tab's chat follows the page's session; a run it starts becomes the page's session.
  const [chatId, setChatId] = useState(() => `chat-${chatKey}`);
  const { chat, transport } = useDemoChat(gatewayUrl, dialect, chatId, chatKey, setChatKey);
  const startNewSession = () => {
    const key = newChatKey();
    setChatKey(key);
    setChatId(`chat-${key}`);
  };

  useEffect(() => {
    void fetch('/api/config')
      .then((response) => response.json() as Promise<DemoConfig>)
      .then(setConfig);
  }, []);

  // The app's backend hands out short-lived tokens; the client asks before every auth.
  const getToken = useCallback(() => fetchToken(chatKey), [chatKey]);

  const gateway = useAgentGateway({
    gatewayUrl: gatewayUrl ?? 'http://127.0.0.1',
    chatKey: gatewayUrl ? chatKey : undefined,
    getToken,
    inspect,
    ...(dialect ? { dialect } : {}),
    initialReconnectDelayMs: 250,
    maxReconnectDelayMs: 4_000,
  });

  const dropConnection = () =>
    void fetch(`/api/drop?chatKey=${encodeURIComponent(chatKey)}`, { method: 'POST' });
  const toggleInspector = () => {
    if (inspecting) closeInspector();
    else openInspector(gateway.client);
    setInspecting(!inspecting);
  };

  return (
    <main>
      <header>
        <h1>Agent Gateway Client</h1>
        <span className={`status status-${gateway.status}`} data-testid="connection-status">
          {gateway.status}
        </span>
        <span className="session-status" data-testid="session-status">
          session: {gateway.session.status ?? '—'}
        </span>
        <span className="chat-key">chatKey {chatKey}</span>
      </header>
      <section className="controls">
        <button type="button" onClick={gateway.interrupt} disabled={gateway.session.complete}>
          Interrupt
        </button>
        <button type="button" onClick={dropConnection} data-testid="drop-connection">
          Drop connection
        </button>
        <button type="button" onClick={gateway.disconnect}>
          Disconnect
        </button>
        <button type="button" onClick={gateway.connect}>
          Connect
        </button>
        <button type="button" onClick={startNewSession}>
          New session
        </button>
        <label>
          <input
            type="checkbox"
            checked={inspecting}
            onChange={toggleInspector}
            data-testid="inspector-toggle"
          />
          Stately inspector
        </label>
      </section>
      <nav className="tabs">
        <button
          type="button"
          className={view === 'hook' ? 'active' : ''}
          onClick={() => setView('hook')}
          data-testid="tab-hook"
        >
          useAgentGateway
        </button>
        <button
          type="button"
          className={view === 'ai-sdk' ? 'active' : ''}
          onClick={() => setView('ai-sdk')}
          data-testid="tab-ai-sdk"
        >
          AI SDK useChat
        </button>
      </nav>
      <div className="columns">
        {view === 'hook' || chat === undefined || transport === undefined ? (
          <Conversation gateway={gateway} />
        ) : (
          <AiSdkView key={chat.id} chat={chat} transport={transport} />
        )}
        <aside>
          <MachineDiagram state={gateway.state} />
          <TransitionLog status={gateway.status} error={gateway.error} />
        </aside>
      </div>
    </main>
  );
}
