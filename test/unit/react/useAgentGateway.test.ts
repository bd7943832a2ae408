// @vitest-environment happy-dom
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { useAgentGateway, type UseAgentGatewayOptions } from 'agent-gateway-client/react';
import { createElement, type ReactNode, StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFakeSocketClass, type FakeSocket } from '../../support/fakeSocket.js';
import { referenceAuthSuccess } from '../../support/harness.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

/**
 * For a test that shows something does not happen: fake timers that still follow real time (so
 * `waitFor` polls), and `settle()` to run every timer armed for the next second and the microtasks
 * between them — whatever the hook, the store or the client deferred has happened by then.
 */
function useSettlingTimers() {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  return () => act(() => vi.advanceTimersByTimeAsync(1_000));
}

/** Renders the hook against a fake gateway, counting renders. */
function renderGateway(strict: boolean, initial: Partial<UseAgentGatewayOptions> = {}) {
  const { WebSocket, sockets } = createFakeSocketClass();
  let renders = 0;
  const wrapper = strict
    ? ({ children }: { children: ReactNode }) => createElement(StrictMode, null, children)
    : undefined;
  const view = renderHook(
    (props: Partial<UseAgentGatewayOptions>) => {
      renders++;
      return useAgentGateway({
        gatewayUrl: 'https://gateway.test',
        chatKey: 'chat-1',
        token: 'token-1',
        WebSocket,
        watchEnvironment: false,
        logger: { warn: () => undefined, error: () => undefined },
        ...initial,
        ...props,
      });
    },
    { ...(wrapper ? { wrapper } : {}), initialProps: {} },
  );
  const socket = async (index = 0): Promise<FakeSocket> => {
    await waitFor(() => expect(sockets[index]).toBeDefined());
    return sockets[index] as FakeSocket;
  };
  const authenticate = async (index = 0) => {
    const s = await socket(index);
    act(() => {
      s.open();
      s.receive(referenceAuthSuccess);
    });
    await waitFor(() => expect(view.result.current.status).toBe('connected'));
    return s;
  };
  return { view, sockets, socket, authenticate, renders: () => renders };
}

const delta = (id: number, content: string) => ({
  type: 'agent_event',
  id: `e${id}`,
  event: { kind: 'text_delta', content },
});
const textOf = (result: { current: ReturnType<typeof useAgentGateway> }) =>
  result.current.session.messages
    .flatMap((message) => message.parts)
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('');

describe.each([false, true])('useAgentGateway (StrictMode: %s)', (strict) => {
  it('opens exactly one socket for the session and reports the connection', async () => {
    const settle = useSettlingTimers();
    const h = renderGateway(strict);
    const socket = await h.authenticate();
    await settle();
    expect(h.sockets).toHaveLength(1);
    expect(socket.frameTypes).toEqual(['auth', 'resume']);
    expect(h.view.result.current.state).toMatchObject({ link: { connected: {} } });
  });

  it('closes the socket on unmount and leaves nothing listening', async () => {
    const h = renderGateway(strict);
    const socket = await h.authenticate();
    h.view.unmount();
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'Client disconnect' });
    expect(socket.listenerCount()).toBe(0);
    expect(h.sockets).toHaveLength(1);
  });

  it('a token change keeps the socket; the next auth uses the new token', async () => {
    const settle = useSettlingTimers();
    const h = renderGateway(strict);
    const socket = await h.authenticate();
    h.view.rerender({ token: 'token-2' });
    await settle();
    expect(h.sockets).toHaveLength(1);
    expect(socket.closedWith).toBeUndefined();
    act(() => socket.receive({ type: 'auth_expired' }));
    expect(socket.frames.at(-1)).toEqual({ type: 'auth', token: 'token-2' });
  });

  it('a chatKey change closes the old socket and opens one for the new session', async () => {
    const h = renderGateway(strict);
    const first = await h.authenticate();
    act(() => first.receive(delta(1, 'old session')));
    h.view.rerender({ chatKey: 'chat-2' });
    const second = await h.socket(1);
    expect(first.closedWith).toEqual({ code: 1000, reason: 'Client disconnect' });
    expect(second.url).toBe('wss://gateway.test/ws?chatKey=chat-2');
    await h.authenticate(1);
    expect(h.sockets).toHaveLength(2);
    expect(textOf(h.view.result)).toBe('');
  });

  it('keeps action identities stable across renders', async () => {
    const h = renderGateway(strict);
    const before = h.view.result.current;
    const socket = await h.authenticate();
    act(() => socket.receive(delta(1, 'hi')));
    await waitFor(() => expect(textOf(h.view.result)).toBe('hi'));
    const after = h.view.result.current;
    for (const action of [
      'connect',
      'disconnect',
      'reconnect',
      'interrupt',
      'approveTool',
      'rejectTool',
      'submitInput',
    ] as const) {
      expect(after[action]).toBe(before[action]);
    }
  });

  it('renders a 10,000-delta burst a bounded number of times, with every word', async () => {
    const h = renderGateway(strict);
    const socket = await h.authenticate();
    const rendersBefore = h.renders();
    act(() => {
      for (let i = 1; i <= 10_000; i++) socket.receive(delta(i, 'w '));
    });
    await waitFor(() => expect(textOf(h.view.result)).toHaveLength(20_000));
    const burstRenders = h.renders() - rendersBefore;
    // One batched notification; StrictMode renders twice per update.
    expect(burstRenders).toBeLessThanOrEqual(strict ? 6 : 3);
  });

  it('reads the connection through @xstate/react: machine steps that change no field render nothing', async () => {
    const h = renderGateway(strict);
    const socket = await h.authenticate();
    const rendersBefore = h.renders();
    const stateBefore = JSON.stringify(h.view.result.current.state);
    // Each command changes the machine's context (outbox, in-flight list); only the first moves its
    // heartbeat region (the probe that will confirm them), which is a new state value.
    for (let i = 0; i < 5; i++) act(() => void h.view.result.current.interrupt());
    expect(socket.frameTypes.filter((type) => type === 'interrupt')).toHaveLength(5);
    expect(JSON.stringify(h.view.result.current.state)).not.toBe(stateBefore);
    expect(h.renders() - rendersBefore).toBe(strict ? 2 : 1);
    expect(h.view.result.current.status).toBe('connected');
  });

  it('approves tools, answers inputs and interrupts through stable actions, updating the view at once', async () => {
    const h = renderGateway(strict, { renderBatch: 'sync' });
    const socket = await h.authenticate();
    act(() => {
      socket.receive({
        type: 'agent_event',
        id: 'e1',
        event: { kind: 'tool_call_start', toolCallId: 'c1', name: 'search', arguments: '{}' },
      });
      socket.receive({ type: 'agent_event', id: 'e2', event: { kind: 'tool_call_end', toolCallId: 'c1' } });
      socket.receive({
        type: 'tool_confirmation_request',
        id: 'e3',
        toolCallId: 'c1',
        tool: { apiName: 'search', arguments: '{}', identifier: 'search', name: 'Search' },
      });
      socket.receive({ type: 'input_request', id: 'e4', requestId: 'r1', prompt: 'City?' });
    });
    const tool = () => h.view.result.current.session.messages[0]?.parts.find((part) => part.type === 'tool');
    expect(tool()?.state).toBe('approval-requested');
    act(() => h.view.result.current.approveTool('c1'));
    expect(tool()).toMatchObject({ state: 'approval-responded', approval: { approved: true } });
    act(() => h.view.result.current.submitInput('r1', 'Paris'));
    expect(h.view.result.current.session.pendingInputs).toEqual([]);
    act(() => h.view.result.current.interrupt());
    expect(socket.frameTypes.filter((type) => type !== 'heartbeat')).toEqual([
      'auth',
      'resume',
      'tool_confirmation',
      'user_input',
      'interrupt',
    ]);
  });

  it('follows no session without a chatKey, and reports errors', async () => {
    const settle = useSettlingTimers();
    const h = renderGateway(strict, { chatKey: undefined });
    await settle();
    expect(h.sockets).toHaveLength(0);
    expect(h.view.result.current.status).toBe('disconnected');
    h.view.rerender({ chatKey: 'chat-9' });
    const socket = await h.authenticate();
    act(() => socket.receive('not json'));
    await waitFor(() => expect(h.view.result.current.error?.name).toBe('FrameError'));
  });
});
