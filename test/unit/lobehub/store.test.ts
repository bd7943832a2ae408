import { createGatewayStore } from 'agent-gateway-client';
import { lobehubDialect } from 'agent-gateway-client/lobehub';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness } from '../../support/harness.js';
import { lobehubEvent } from '../../support/lobehubMock.js';
import { textOf } from '../../support/storeText.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('the store over LobeHub’s dialect', () => {
  it('renders a LobeHub session as it renders the original protocol’s, across a drop and a replay', () => {
    const h = createHarness({ dialect: lobehubDialect });
    const store = createGatewayStore(h.client, { renderBatch: 'sync' });
    h.client.connect('op-123');
    const first = h.authenticate({ type: 'auth_success' });
    const chunk = (id: string, content: string) =>
      lobehubEvent('stream_chunk', { id, data: { chunkType: 'text', content } });
    first.receive(lobehubEvent('stream_start', { id: '1', data: { assistantMessage: { id: 'msg_a' } } }));
    first.receive(chunk('2', 'Hello '));
    first.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate({ type: 'auth_success' });
    // Live before the replay, then the replay: the view shows each word once, in order.
    second.receive(chunk('4', 'world'));
    second.receive(chunk('2', 'Hello '));
    second.receive(chunk('3', 'big '));
    second.receive(chunk('4', 'world'));
    expect(textOf(store)).toBe('Hello big world');
    expect(store.getSnapshot().session.messages.map((message) => message.id)).toEqual(['msg_a']);
    second.receive(lobehubEvent('agent_runtime_end', { id: '5', data: { reason: 'done' } }));
    expect(store.getSnapshot()).toMatchObject({
      status: 'disconnected',
      disconnectReason: 'sessionComplete',
      session: { complete: true, status: 'completed' },
    });
  });

  it('leaves a group member’s mirrored events out of the operation’s view', () => {
    const h = createHarness({ dialect: lobehubDialect });
    const store = createGatewayStore(h.client, { renderBatch: 'sync' });
    h.client.connect('op-123');
    const socket = h.authenticate({ type: 'auth_success' });
    socket.receive(lobehubEvent('stream_chunk', { id: '1', data: { chunkType: 'text', content: 'mine' } }));
    socket.receive(
      lobehubEvent('stream_chunk', {
        id: '2',
        operationId: 'op-member',
        data: { chunkType: 'text', content: 'theirs' },
      }),
    );
    expect(textOf(store)).toBe('mine');
    expect(h.argsOf('agent_event')).toHaveLength(2); // listeners still get both
  });
});
