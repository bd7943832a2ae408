import { createGatewayStore } from 'agent-gateway-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, textDelta } from '../../support/harness.js';
import { textOf } from '../../support/storeText.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** A client that delivered `1`, `2`, lost its link, and resumed from a gateway that kept only `4`, `5`. */
function afterLostHistory() {
  const h = createHarness();
  const store = createGatewayStore(h.client, { renderBatch: 'sync' });
  h.client.connect('chat-1');
  const first = h.authenticate();
  first.receive(textDelta('1', 'Hello '));
  first.receive(textDelta('2', 'world. '));
  first.serverClose(1006);
  vi.advanceTimersByTime(1_000);
  const second = h.authenticate();
  second.receive(textDelta('4', 'Later, '));
  second.receive(textDelta('5', 'the end.'));
  return { h, store, second };
}

describe('history lost: resume_complete with recovered: false', () => {
  it('is reported once as an error of kind historyLost, and with the replay to rebuild from', () => {
    const { h, second } = afterLostHistory();
    second.receive({ type: 'resume_complete', status: 'running', recovered: false });
    expect(h.errors()).toEqual([
      expect.objectContaining({ kind: 'historyLost', details: { kind: 'historyLost', status: 'running' } }),
    ]);
    const [[replayed, status]] = h.argsOf('history_lost') as [[Array<{ id: string }>, string]];
    expect(replayed.map(({ id }) => id)).toEqual(['4', '5']);
    expect(status).toBe('running');
  });

  it('the session view is rebuilt from the replay, not glued after the gap', () => {
    const { store, second } = afterLostHistory();
    expect(textOf(store)).toBe('Hello world. Later, the end.');
    second.receive({ type: 'resume_complete', status: 'running', recovered: false });
    expect(textOf(store)).toBe('Later, the end.');
    expect(store.getSnapshot().session.status).toBe('running');
    second.receive(textDelta('6', ' More.'));
    expect(textOf(store)).toBe('Later, the end. More.');
  });

  it('a replay that repeats delivered events (an unknown lastEventId) rebuilds them all, once each', () => {
    const h = createHarness();
    const store = createGatewayStore(h.client, { renderBatch: 'sync' });
    h.client.connect('chat-1');
    const first = h.authenticate();
    first.receive(textDelta('1', 'Hello '));
    first.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    const second = h.authenticate();
    for (const [id, text] of [
      ['1', 'Hello '],
      ['2', 'world.'],
    ] as const)
      second.receive(textDelta(id, text));
    second.receive({ type: 'resume_complete', status: 'running', recovered: false });
    expect(textOf(store)).toBe('Hello world.');
    expect(h.argsOf('agent_event')).toHaveLength(2); // listeners still get each event once
  });

  it('offers no replay to rebuild from when the replay outgrew dedupeWindow', () => {
    const rebuildOffered = (frames: number) => {
      const h = createHarness({ dedupeWindow: 2 });
      h.client.connect('chat-1');
      const socket = h.authenticate();
      for (let id = 1; id <= frames; id++) socket.receive(textDelta(`${id}`));
      socket.receive({ type: 'resume_complete', status: 'running', recovered: false });
      const [[replayed]] = h.argsOf('history_lost') as [[Array<{ id: string }> | undefined]];
      return replayed?.map(({ id }) => id);
    };
    expect(rebuildOffered(2)).toEqual(['1', '2']);
    expect(rebuildOffered(3)).toBeUndefined();
  });

  it('recovered absent or true changes nothing', () => {
    const { h, store, second } = afterLostHistory();
    second.receive({ type: 'resume_complete', status: 'running', recovered: true });
    expect(h.errors()).toEqual([]);
    expect(textOf(store)).toBe('Hello world. Later, the end.');
  });
});
