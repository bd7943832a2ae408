import type { ClientFrame } from './types.js';

/**
 * Serializes a client frame with its keys in alphabetical order (`{"token":"t","type":"auth"}`), so
 * every frame of a given content has exactly one encoding. Client frames are flat objects.
 *
 * @example
 * socket.send(encodeClientFrame({ type: 'tool_confirmation', toolCallId: 'c1', approved: true }));
 */
export function encodeClientFrame(frame: ClientFrame): string {
  return JSON.stringify(frame, Object.keys(frame).sort());
}
