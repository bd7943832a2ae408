import type { ConnectionEmitted, DisconnectReason, QueuedCommand } from '../machines/connection.machine.js';
import type { AgentGatewayClientEvents } from './client.types.js';
import type { DeliveredMessage } from './clientDependencies.js';
import { AgentGatewayError, type CommandDropReason, type IssuedCommand } from './errors.js';

/** One call of a client event: its name and its listeners' arguments. */
export type ClientEventCall = {
  [K in keyof AgentGatewayClientEvents]: [K, ...Parameters<AgentGatewayClientEvents[K]>];
}[keyof AgentGatewayClientEvents];

const issued = ({ commandId, frame }: QueuedCommand): IssuedCommand => ({ ...frame, commandId });

/**
 * What the client tells its listeners about one event its machine emitted: pure, so every translation
 * and every error the client builds is in one place. `disconnectReason` is the machine's, read after
 * it settled, and `lastEventId` the ledger's. Session statuses and the start of a conversation are
 * the facade's (they keep state).
 */
export function clientEventsFor(
  emitted: ConnectionEmitted,
  disconnectReason: DisconnectReason | undefined,
  lastEventId = '',
): ClientEventCall[] {
  switch (emitted.type) {
    case 'connected':
      return [['connected']];
    case 'disconnected':
      return [['disconnected']];
    case 'reconnecting':
      return [['reconnecting', emitted.delayMs, emitted.attempt]];
    case 'authFailed':
      return [['auth_failed', emitted.reason]];
    case 'resumed':
      return [['message', { type: 'resume_complete', status: emitted.status }]];
    case 'sessionComplete':
      // A terminal `resume_complete` ends the session as a `session_complete` frame would; listeners
      // get the original's payload type: the session is complete after the last event delivered.
      return emitted.message.type === 'session_complete'
        ? [
            ['message', emitted.message],
            ['session_complete', emitted.message],
          ]
        : [['session_complete', { type: 'session_complete', id: lastEventId }]];
    case 'operationEnded':
      // The operation ended itself: told as a session end after the last event delivered.
      return [['session_complete', { type: 'session_complete', id: lastEventId }]];
    case 'authExpired':
      return [['auth_expired']];
    case 'linkError':
      return [['error', new AgentGatewayError(emitted.message, { kind: 'link' })]];
    case 'gaveUp':
      return [
        [
          'error',
          new AgentGatewayError('Max reconnect attempts reached', {
            kind: 'gaveUp',
            attempts: emitted.attempts,
          }),
        ],
      ];
    case 'closedByGateway': {
      const { code, reason } = emitted;
      const message = `The gateway closed the connection (${code}${reason ? `: ${reason}` : ''})`;
      return [
        [
          'error',
          new AgentGatewayError(message, { kind: 'closedByGateway', closeCode: code, closeReason: reason }),
        ],
      ];
    }
    case 'refused':
      return [['error', new AgentGatewayError(emitted.message, { kind: 'refused', status: emitted.status })]];
    case 'commandRejected': {
      const why =
        emitted.reason === 'notConnected'
          ? 'there is no active session (call connect first)'
          : 'the outbox is full';
      const message = `Command "${emitted.command.frame.type}" was rejected: ${why}`;
      const details = {
        kind: 'commandRejected',
        command: issued(emitted.command),
        reason: emitted.reason,
      } as const;
      return [['error', new AgentGatewayError(message, details)]];
    }
    case 'commandDropped': {
      // Emitted events arrive after the machine has settled: it already says why the session ended.
      const reason: CommandDropReason =
        emitted.reason === 'outboxFull'
          ? 'outboxFull'
          : disconnectReason !== undefined && disconnectReason !== 'idle'
            ? disconnectReason
            : 'userDisconnect';
      const message = `Command "${emitted.command.frame.type}" was dropped (${reason})`;
      return [
        [
          'error',
          new AgentGatewayError(message, {
            kind: 'commandDropped',
            command: issued(emitted.command),
            reason,
          }),
        ],
      ];
    }
    case 'commandUnconfirmed': {
      const message = `Command "${emitted.command.frame.type}" was written but not confirmed before the link was lost; it was not re-sent`;
      const details = {
        kind: 'commandUnconfirmed',
        command: issued(emitted.command),
        reason: 'unconfirmed',
      } as const;
      return [['error', new AgentGatewayError(message, details)]];
    }
    case 'historyLost': {
      const message =
        'The gateway no longer has every event since the last one delivered: the session is rebuilt from what it replayed';
      return [['error', new AgentGatewayError(message, { kind: 'historyLost', status: emitted.status })]];
    }
    case 'sessionStarted':
    case 'commandWritten':
    case 'commandUnsent':
    case 'commandConfirmed':
      return [];
  }
}

/**
 * What the client tells its listeners about one session frame (not `session_complete`, which ends the
 * link, nor `agent_event`, told straight to `message` and `agent_event` listeners).
 */
export function clientEventsForFrame(message: DeliveredMessage): ClientEventCall[] {
  switch (message.type) {
    case 'status_change':
      return [['status_update', message]];
    case 'tool_confirmation_request':
      return [['tool_confirmation_request', message]];
    case 'input_request':
      return [['input_request', message]];
    case 'error': {
      const details = { kind: 'session', code: message.code, eventId: message.id } as const;
      return [['error', new AgentGatewayError(message.message, details)]];
    }
  }
}
