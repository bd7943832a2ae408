import type { StateValue } from 'xstate';

/** Writes a machine state value as dotted paths: `link.connected(replay.live, heartbeat.idle, uptime.proven)`. */
export function describeState(value: StateValue): string {
  if (typeof value === 'string') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, inner] = entries[0] as [string, StateValue];
    return `${key}.${describeState(inner)}`;
  }
  return `(${entries.map(([key, inner]) => `${key}.${describeState(inner as StateValue)}`).join(', ')})`;
}
