import { useAgentGateway } from 'agent-gateway-client/react';
import { useCallback, useEffect, useState } from 'react';
import { Conversation } from './Conversation.js';
import { MachineDiagram } from './MachineDiagram.js';
import { TransitionLog } from './TransitionLog.js';
import { closeInspector, inspect, openInspector } from './inspector.js';

const newChatKey = () => `demo-${Math.random().toString(36).slice(2, 8)}`;

/** The demo: one session of the scripted agent, its connection machine live, and fault controls. */
export function App() {
  const [gatewayUrl, setGatewayUrl] = useState<string>();
  const [chatKey, setChatKey] = useState(
    () => new URLSearchParams(location.search).get('chatKey') ?? newChatKey(),
  );
  const [inspecting, setInspecting] = useState(false);

  useEffect(() => {
    void fetch('/api/config')
      .then((response) => response.json() as Promise<{ gatewayUrl: string }>)
      .then((config) => setGatewayUrl(config.gatewayUrl));
  }, []);

  // The app's backend hands out short-lived tokens; the client asks before every auth.
  const getToken = useCallback(
    () =>
      fetch(`/api/token?chatKey=${encodeURIComponent(chatKey)}`)
        .then((response) => response.json() as Promise<{ token: string }>)
        .then(({ token }) => token),
    [chatKey],
  );

  const gateway = useAgentGateway({
    gatewayUrl: gatewayUrl ?? 'http://127.0.0.1',
    chatKey: gatewayUrl ? chatKey : undefined,
    getToken,
    inspect,
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
        <button type="button" onClick={() => setChatKey(newChatKey())}>
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
      <div className="columns">
        <Conversation gateway={gateway} />
        <aside>
          <MachineDiagram state={gateway.state} />
          <TransitionLog status={gateway.status} error={gateway.error} />
        </aside>
      </div>
    </main>
  );
}
