import type { SnapshotFrom } from 'xstate';
import type { ConnectionMachine } from '../machines/connection.machine.js';
import { toConnectionStatus, toDisconnectReason } from '../machines/connectionStatus.js';
import type { ClientSnapshot } from './client.types.js';

/** The client's immutable snapshot of a machine snapshot (frozen: a UI may hold it). */
export function toClientSnapshot(source: SnapshotFrom<ConnectionMachine>): ClientSnapshot {
  const { context } = source;
  return Object.freeze({
    status: toConnectionStatus(source),
    state: source.value,
    disconnectReason: toDisconnectReason(source),
    chatKey: context.chatKey,
    conversation: context.conversation,
    attempt: context.attempt,
    retryDelayMs: context.retryDelayMs,
    queuedCommands: context.outbox.length,
    unconfirmedCommands: context.inFlight.length,
    capabilities: context.capabilities,
    lastClose: context.lastClose,
    authFailure: context.authFailure,
  });
}

/** {@link toClientSnapshot} that returns the same object for the same machine snapshot. */
export function memoizeClientSnapshot(): (source: SnapshotFrom<ConnectionMachine>) => ClientSnapshot {
  let last: SnapshotFrom<ConnectionMachine> | undefined;
  let snapshot: ClientSnapshot | undefined;
  return (source) => {
    if (snapshot === undefined || last !== source) {
      last = source;
      snapshot = toClientSnapshot(source);
    }
    return snapshot;
  };
}
