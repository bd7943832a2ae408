import type { ClientFrame } from './types.js';

/**
 * Serializes a client frame with its top-level keys in alphabetical order
 * (`{"token":"t","type":"auth"}`), so every frame of a given content has one encoding. Nested values
 * (a `tool_result`'s `error` and `state`) are written as the app gave them.
 *
 * @example
 * socket.send(encodeClientFrame({ type: 'tool_confirmation', toolCallId: 'c1', approved: true }));
 */
export function encodeClientFrame(frame: ClientFrame): string {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(frame).sort()) sorted[key] = frame[key as keyof ClientFrame];
  return JSON.stringify(sorted);
}
