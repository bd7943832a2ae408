import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { createHarness, referenceAuthSuccess, textDelta } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const TOKEN = 'tok_super_secret_4711';

/** Serializes anything, including Errors (their message and stack) and functions' source. */
function dump(value: unknown): string {
  const seen = new WeakSet();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Error) return { ...v, name: v.name, message: v.message, stack: v.stack };
    if (typeof v === 'function') return String(v);
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
}

describe('token redaction', () => {
  it('the token appears in no inspected event, log, error or snapshot — only in the auth frame', async () => {
    const inspected: InspectionEvent[] = [];
    let n = 0;
    const h = createHarness({
      token: undefined,
      getToken: () => `${TOKEN}-${++n}`,
      inspect: (event) => inspected.push(event),
      maxReconnectAttempts: 1,
    });
    h.client.connect('chat-1');
    const socket = h.authenticate();
    socket.receive(textDelta('1'));
    socket.receive('garbage');
    socket.receive({ type: 'auth_expired' });
    socket.receive(referenceAuthSuccess);
    h.client.sendUserInput('r1', 'hello');
    socket.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    h.latest().fail();
    h.client.sendInterrupt();

    expect(socket.sent.filter((raw) => raw.includes(TOKEN))).toHaveLength(2);
    expect(inspected.length).toBeGreaterThan(20);
    const inspectedText = inspected
      .map((event) =>
        dump({
          ...event,
          actorRef: undefined,
          snapshot: event.type === '@xstate.snapshot' ? event.snapshot : undefined,
        }),
      )
      .join('\n');
    expect(inspectedText).toContain('user.command');
    expect(inspectedText).not.toContain(TOKEN);
    expect(dump(h.logger.warn.mock.calls) + dump(h.logger.error.mock.calls)).not.toContain(TOKEN);
    expect(dump(h.events)).not.toContain(TOKEN);
    expect(dump(h.client.getSnapshot())).not.toContain(TOKEN);
    expect(dump(h.client.actor.getSnapshot())).not.toContain(TOKEN);
    expect(dump(h.client)).not.toContain(TOKEN);
  });

  it('a static token is not reachable from the client object', () => {
    const h = createHarness({ token: TOKEN });
    expect(dump(h.client)).not.toContain(TOKEN);
    expect(Object.values(h.client).map(String).join()).not.toContain(TOKEN);
  });
});
