// @vitest-environment happy-dom
import { act, cleanup, render, renderHook, waitFor } from '@testing-library/react';
import { AgentGatewayClient, type ConnectionStatus } from 'agent-gateway-client';
import { useAgentGateway, useGatewaySelector } from 'agent-gateway-client/react';
import { createElement, Fragment, memo, type ReactNode, StrictMode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeSocketClass, type FakeSocket } from '../../support/fakeSocket.js';
import { referenceAuthSuccess } from '../../support/harness.js';

afterEach(() => cleanup());

const quiet = { warn: () => undefined, error: () => undefined };
const delta = (id: number) => ({
  type: 'agent_event',
  id: `e${id}`,
  event: { kind: 'text_delta', content: 'w ' },
});
const strictly = (strict: boolean, node: ReactNode) =>
  strict ? createElement(StrictMode, null, node) : node;
// StrictMode calls every component body twice per render.
const perRender = (strict: boolean) => (strict ? 2 : 1);

describe.each([false, true])('useGatewaySelector (StrictMode: %s)', (strict) => {
  it('a status badge re-renders once per status change, not per frame or heartbeat', async () => {
    const { WebSocket, sockets } = createFakeSocketClass();
    const client = new AgentGatewayClient({
      gatewayUrl: 'https://gateway.test',
      token: 't',
      WebSocket,
      watchEnvironment: false,
      logger: quiet,
    });
    const seen: ConnectionStatus[] = [];
    let renders = 0;
    function Badge() {
      renders++;
      const status = useGatewaySelector(client, (snapshot) => snapshot.status);
      if (seen.at(-1) !== status) seen.push(status);
      return createElement('span', null, status);
    }
    const view = render(strictly(strict, createElement(Badge)));
    act(() => client.connect('chat-1'));
    const socket = sockets[0] as FakeSocket;
    act(() => socket.open());
    act(() => socket.receive(referenceAuthSuccess));
    expect(view.container.textContent).toBe('connected');
    const rendersWhenConnected = renders;
    act(() => {
      for (let i = 1; i <= 1_000; i++) socket.receive(delta(i));
      socket.receive({ type: 'heartbeat_ack' });
      socket.receive({ type: 'status_change', id: 's1', status: 'running' });
    });
    expect(renders).toBe(rendersWhenConnected);
    act(() => socket.serverClose(1006));
    expect(view.container.textContent).toBe('reconnecting');
    expect(seen).toEqual(['disconnected', 'connecting', 'authenticating', 'connected', 'reconnecting']);
    expect(renders).toBe(seen.length * perRender(strict));
    client.dispose();
  });

  it('beside useAgentGateway: the session re-renders per batch, a memoized badge only on status changes', async () => {
    const { WebSocket, sockets } = createFakeSocketClass();
    let badgeRenders = 0;
    let chatRenders = 0;
    const Badge = memo(function Badge({ client }: { client: AgentGatewayClient | undefined }) {
      badgeRenders++;
      return createElement(
        'b',
        null,
        useGatewaySelector(client, (snapshot) => snapshot.status),
      );
    });
    function Chat() {
      chatRenders++;
      const gateway = useAgentGateway({
        gatewayUrl: 'https://gateway.test',
        chatKey: 'chat-1',
        token: 't',
        WebSocket,
        watchEnvironment: false,
        logger: quiet,
        renderBatch: 'sync',
      });
      const text = gateway.session.messages[0]?.parts[0];
      return createElement(
        Fragment,
        null,
        createElement(Badge, { client: gateway.client }),
        createElement('p', null, text?.type === 'text' ? text.text : ''),
      );
    }
    const view = render(strictly(strict, createElement(Chat)));
    await waitFor(() => expect(sockets[0]).toBeDefined());
    const socket = sockets[0] as FakeSocket;
    act(() => {
      socket.open();
      socket.receive(referenceAuthSuccess);
    });
    await waitFor(() => expect(view.container.querySelector('b')?.textContent).toBe('connected'));
    const badgeBefore = badgeRenders;
    const chatBefore = chatRenders;
    for (let i = 1; i <= 20; i++) act(() => socket.receive(delta(i)));
    expect(view.container.querySelector('p')?.textContent).toBe('w '.repeat(20));
    expect(chatRenders - chatBefore).toBe(20 * perRender(strict));
    expect(badgeRenders).toBe(badgeBefore);
  });

  it('without a client it reads the idle snapshot', () => {
    const { result } = renderHook(
      () => useGatewaySelector(undefined, (snapshot) => [snapshot.status, snapshot.disconnectReason]),
      strict ? { wrapper: ({ children }) => createElement(StrictMode, null, children) } : {},
    );
    expect(result.current).toEqual(['disconnected', 'idle']);
  });
});
