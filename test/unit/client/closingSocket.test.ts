import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness, referenceAuthSuccess } from '../../support/harness.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const commandFrames = (frames: Array<Record<string, unknown>>) =>
  frames.filter((frame) => ['interrupt', 'tool_confirmation', 'user_input'].includes(String(frame.type)));

describe('commands a CLOSING socket could not take', () => {
  it('are written on the next link in the order they were issued', () => {
    const h = createHarness();
    h.client.connect('chat-1');
    const first = h.client.sendUserInput('req-1', 'Paris');
    const second = h.client.sendToolConfirmation('call-2', true);
    const socket = h.latest();
    socket.open();
    // The gateway's close frame has arrived (CLOSING), and a frame it sent before it is still delivered.
    socket.startClosing();
    socket.receive(referenceAuthSuccess);
    expect(h.client.getSnapshot().queuedCommands).toBe(2);
    socket.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    h.authenticate();
    expect(commandFrames(h.latest().frames).map((frame) => frame.commandId)).toEqual([
      first.commandId,
      second.commandId,
    ]);
  });
});
