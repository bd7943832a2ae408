import type { SnapshotFrom } from 'xstate';
import type { ConnectionMachine, DisconnectReason } from './connection.machine.js';

/** The public 5-value connection status, as the original client reports it (docs/protocol.md). */
export type ConnectionStatus =
  'authenticating' | 'connected' | 'connecting' | 'disconnected' | 'reconnecting';

type ConnectionSnapshot = SnapshotFrom<ConnectionMachine>;

/** Derives the public status from the machine state (never stored beside it). */
export function toConnectionStatus(snapshot: ConnectionSnapshot): ConnectionStatus {
  const value = snapshot.value;
  if (typeof value === 'string') return value === 'reconnecting' ? 'reconnecting' : 'disconnected';
  if ('link' in value) {
    const link = value.link;
    if (link === 'connecting') return 'connecting';
    if (link === 'authenticating') return 'authenticating';
    return 'connected';
  }
  return 'disconnected';
}

/** Why the client is disconnected, or `undefined` while a session is active. */
export function toDisconnectReason(snapshot: ConnectionSnapshot): DisconnectReason | undefined {
  const value = snapshot.value;
  return typeof value === 'object' && 'disconnected' in value ? value.disconnected : undefined;
}
