import { type Actor, createActor, fromCallback } from 'xstate';
import type { ConnectionConfig } from '../machines/connection.config.js';
import {
  type CommandRefusal,
  type ConnectionEmitted,
  type ConnectionMachine,
  connectionMachine,
  type QueuedCommand,
  scheduleRetryWith,
} from '../machines/connection.machine.js';
import {
  type ConnectionStatus,
  toConnectionStatus,
  toDisconnectReason,
} from '../machines/connectionStatus.js';
import type {
  AgentGatewayClientEvents,
  ClientSnapshot,
  ClientStats,
  CommandDropReason,
  CommandReceipt,
  IAgentGatewayClient,
} from './client.types.js';
import { environmentActor } from './environment.actor.js';
import { AgentGatewayError } from './errors.js';
import { EventLedger } from './ledger.js';
import { Listeners } from './listeners.js';
import { type AgentGatewayClientOptions, type Logger, toConnectionConfig } from './options.js';
import type { FrameError } from './protocol/parse.js';
import type { CommandFrame, ResumeCompleteMessage, SessionStatus } from './protocol/types.js';
import { buildSocketUrl } from './protocol/url.js';
import { type DeliveredMessage, type SocketAdapterOptions, socketActor } from './socket.actor.js';
import type { WebSocketConstructor } from './webSocket.js';

const noEnvironment = fromCallback(() => undefined);
// Provided once for every client (a provided machine is a whole new node tree, ~40 KB): each client's
// own dependencies reach the socket actor through the machine's input.
const machineWithEnvironment = connectionMachine.provide({
  actors: { socket: socketActor, environment: environmentActor },
});
const machineWithoutEnvironment = connectionMachine.provide({
  actors: { socket: socketActor, environment: noEnvironment },
});

// A logger that throws must not break the socket's event handlers that call it.
function guardLogger(logger: Logger): Logger {
  const safely =
    (write: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      try {
        write.apply(logger, args);
      } catch {
        // Nowhere left to report it.
      }
    };
  return { warn: safely(logger.warn), error: safely(logger.error) };
}

/**
 * The agent gateway client (SPEC §5): a facade over the connection machine and its socket adapter.
 *
 * @example
 * const client = new AgentGatewayClient({ gatewayUrl: 'https://gw.example.com', getToken });
 * client.on('agent_event', ({ event }) => render(event));
 * client.on('tool_confirmation_request', ({ toolCallId }) => client.sendToolConfirmation(toolCallId, true));
 * client.connect('chat-42');
 */
export class AgentGatewayClient implements IAgentGatewayClient {
  /** The running connection machine: for `@xstate/react`, the inspector, and framework adapters. */
  readonly actor: Actor<ConnectionMachine>;
  readonly #listeners: Listeners<AgentGatewayClientEvents>;
  readonly #ledger: EventLedger;
  readonly #logger: Logger;
  readonly #getToken: (() => string | Promise<string>) | undefined;
  readonly #commandPrefix = Math.random().toString(36).slice(2, 10);
  #token: string | undefined;
  #commandCount = 0;
  #ledgerChatKey: string | undefined;
  #sessionStatus: SessionStatus | undefined;
  // The last status told to `status_changed` listeners: each change is told once.
  #toldStatus: ConnectionStatus = 'disconnected';
  #malformedFrames = 0;
  #machineCallbacks = 0;
  #receipt: CommandReceipt | undefined;
  #snapshot: ClientSnapshot | undefined;
  #snapshotSource: unknown;
  #disposed = false;

  constructor(options: AgentGatewayClientOptions) {
    if (typeof options.gatewayUrl !== 'string') throw new TypeError('gatewayUrl is required');
    buildSocketUrl(options.gatewayUrl, '');
    if (options.getToken === undefined && typeof options.token !== 'string') {
      throw new TypeError('One of token or getToken is required');
    }
    const WebSocketClass =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (WebSocketClass === undefined) {
      throw new TypeError(
        'No global WebSocket here: pass one as the WebSocket option (in Node, the ws package)',
      );
    }
    this.#logger = guardLogger(options.logger ?? console);
    this.#token = options.token;
    this.#getToken = options.getToken;
    this.#ledger = new EventLedger(options.lastEventId ?? '', options.dedupeWindow);
    this.#listeners = new Listeners((error, event) =>
      this.#logger.error(`[AgentGatewayClient] A "${event}" listener threw:`, error),
    );
    const config: Partial<ConnectionConfig> = toConnectionConfig(options);
    const adapter: SocketAdapterOptions = {
      gatewayUrl: options.gatewayUrl,
      WebSocket: WebSocketClass,
      getToken: () => (this.#getToken ? this.#getToken() : (this.#token ?? '')),
      ledger: this.#ledger,
      deliver: (message) => this.#deliver(message),
      reportFrameError: (error) => this.#reportFrameError(error),
    };
    const shared = options.watchEnvironment === false ? machineWithoutEnvironment : machineWithEnvironment;
    const machine = options.random
      ? shared.provide({ actions: { scheduleRetry: scheduleRetryWith(options.random) } })
      : shared;
    this.actor = createActor(machine, {
      input: { config, adapter },
      ...(options.inspect ? { inspect: options.inspect } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.actor.on('*', (emitted) => this.#inMachineCallback(() => this.#onMachineEvent(emitted)));
    // Changes that emit nothing (connecting → authenticating) are told when the snapshot changes.
    this.actor.subscribe(() => this.#inMachineCallback(() => this.#tellStatus()));
    this.actor.start();
  }

  /** The public connection status, derived from the machine state. */
  get connectionStatus(): ConnectionStatus {
    return this.getSnapshot().status;
  }

  /** Id of the last delivered event: where the next resume starts. */
  get lastEventId(): string {
    return this.#ledger.lastEventId;
  }

  /** The last session status seen (`status_change` or `resume_complete`), if any. */
  get sessionStatus(): SessionStatus | undefined {
    return this.#sessionStatus;
  }

  /** Frames refused so far. */
  get stats(): ClientStats {
    return { malformedFrames: this.#malformedFrames, duplicateFrames: this.#ledger.duplicates };
  }

  /** Opens a session; a no-op while one is already active (connecting, connected or waiting to reconnect) and after `dispose`. */
  connect(chatKey: string): void {
    if (typeof chatKey !== 'string' || chatKey.length === 0)
      throw new TypeError('chatKey must be a non-empty string');
    if (!this.#disposed) this.actor.send({ type: 'user.connect', chatKey });
  }

  /** Ends the session on purpose: closes with 1000 `Client disconnect`, never reconnects. Keeps listeners. */
  disconnect(): void {
    if (!this.#disposed) this.actor.send({ type: 'user.disconnect' });
  }

  /** Reconnects now: skips a pending backoff, or starts a fresh attempt series after giving up. */
  reconnect(): void {
    if (!this.#disposed) this.actor.send({ type: 'user.reconnect' });
  }

  /** Disconnects, removes every listener and stops the machine. Afterwards the client is inert: connecting does nothing, commands are rejected. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.actor.send({ type: 'user.disconnect' });
    const finish = () => {
      this.#listeners.clear();
      this.actor.stop();
    };
    if (this.#machineCallbacks === 0) return finish();
    // Inside a client event listener the machine is mid-step and the disconnect waits in its queue:
    // stopping now would discard it. It finishes as soon as the disconnect has taken effect, still
    // within the same call that delivered the event.
    const subscription = this.actor.subscribe((snapshot) => {
      if (!snapshot.matches('disconnected')) return;
      subscription.unsubscribe();
      finish();
    });
  }

  /** Adds a listener. A listener that throws is logged and does not affect the client or other listeners. */
  on<K extends keyof AgentGatewayClientEvents>(event: K, listener: AgentGatewayClientEvents[K]): void {
    this.#listeners.on(event, listener);
  }

  /** Removes a listener. */
  off<K extends keyof AgentGatewayClientEvents>(event: K, listener: AgentGatewayClientEvents[K]): void {
    this.#listeners.off(event, listener);
  }

  /** Asks the agent to stop. */
  sendInterrupt(): CommandReceipt {
    return this.#issue({ type: 'interrupt' });
  }

  /** Approves or rejects a tool call. */
  sendToolConfirmation(toolCallId: string, approved: boolean): CommandReceipt {
    if (typeof toolCallId !== 'string' || toolCallId.length === 0)
      throw new TypeError('toolCallId must be a string');
    if (typeof approved !== 'boolean') throw new TypeError('approved must be a boolean');
    return this.#issue({ type: 'tool_confirmation', toolCallId, approved });
  }

  /** Answers an input request. */
  sendUserInput(requestId: string, content: string): CommandReceipt {
    if (typeof requestId !== 'string' || requestId.length === 0)
      throw new TypeError('requestId must be a string');
    if (typeof content !== 'string') throw new TypeError('content must be a string');
    return this.#issue({ type: 'user_input', requestId, content });
  }

  /** Replaces the static token; used by the next `auth` (the current link is kept). */
  updateToken(token: string): void {
    if (typeof token !== 'string' || token.length === 0)
      throw new TypeError('token must be a non-empty string');
    this.#token = token;
  }

  /** The current immutable snapshot; the same object until the machine changes state. */
  getSnapshot(): ClientSnapshot {
    const source = this.actor.getSnapshot();
    if (this.#snapshot === undefined || this.#snapshotSource !== source) {
      const { context } = source;
      this.#snapshotSource = source;
      this.#snapshot = Object.freeze({
        status: toConnectionStatus(source),
        state: source.value,
        disconnectReason: toDisconnectReason(source),
        chatKey: context.chatKey,
        attempt: context.attempt,
        retryDelayMs: context.retryDelayMs,
        queuedCommands: context.outbox.length,
        unconfirmedCommands: context.inFlight.length,
        lastClose: context.lastClose,
        authFailure: context.authFailure,
      });
    }
    return this.#snapshot;
  }

  /** Calls `listener` after every change of the snapshot; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    const subscription = this.actor.subscribe(() =>
      this.#inMachineCallback(() => {
        try {
          listener();
        } catch (error) {
          this.#logger.error('[AgentGatewayClient] A snapshot subscriber threw:', error);
        }
      }),
    );
    return () => subscription.unsubscribe();
  }

  #issue(frame: CommandFrame): CommandReceipt {
    const command: QueuedCommand = { commandId: `${this.#commandPrefix}-${++this.#commandCount}`, frame };
    if (this.#disposed) return { commandId: command.commandId, status: 'rejected', reason: 'notConnected' };
    // Inside a machine callback the machine is mid-step: XState queues the event, so the outcome is not known yet.
    if (this.#machineCallbacks > 0) {
      this.actor.send({ type: 'user.command', command });
      return { commandId: command.commandId, status: 'pending' };
    }
    const receipt: CommandReceipt = { commandId: command.commandId, status: 'queued' };
    this.#receipt = receipt;
    try {
      this.actor.send({ type: 'user.command', command });
    } finally {
      this.#receipt = undefined;
    }
    return receipt;
  }

  #inMachineCallback(callback: () => void): void {
    this.#machineCallbacks++;
    try {
      callback();
    } finally {
      this.#machineCallbacks--;
    }
  }

  #onMachineEvent(emitted: ConnectionEmitted): void {
    const listeners = this.#listeners;
    // Emitted events run once the machine has settled: its status goes first, as the original client
    // sets its status before it emits `connected`, `reconnecting` or `disconnected`.
    this.#tellStatus();
    switch (emitted.type) {
      case 'sessionStarted':
        return this.#startLedger(emitted.chatKey);
      case 'connected':
        return listeners.emit('connected');
      case 'disconnected':
        return listeners.emit('disconnected');
      case 'reconnecting':
        return listeners.emit('reconnecting', emitted.delayMs, emitted.attempt);
      case 'authFailed':
        return listeners.emit('auth_failed', emitted.reason);
      case 'resumed': {
        const message: ResumeCompleteMessage = { type: 'resume_complete', status: emitted.status };
        listeners.emit('message', message);
        return this.#updateSessionStatus(emitted.status);
      }
      case 'sessionComplete':
        if (emitted.message.type === 'session_complete') listeners.emit('message', emitted.message);
        return listeners.emit('session_complete', emitted.message);
      case 'linkError':
        return this.#reportError(new AgentGatewayError('link', emitted.message));
      case 'gaveUp':
        return this.#reportError(new AgentGatewayError('gaveUp', 'Max reconnect attempts reached'));
      case 'closedByGateway':
        return this.#reportError(
          new AgentGatewayError(
            'closedByGateway',
            `The gateway closed the connection (${emitted.code}${emitted.reason ? `: ${emitted.reason}` : ''})`,
            { closeCode: emitted.code },
          ),
        );
      case 'commandWritten':
        if (this.#receipt?.commandId === emitted.command.commandId) this.#receipt.status = 'sent';
        return;
      case 'commandUnsent':
        if (this.#receipt?.commandId === emitted.command.commandId) this.#receipt.status = 'queued';
        return;
      case 'commandRejected':
        return this.#rejectCommand(emitted.command, emitted.reason);
      case 'commandDropped':
        return this.#dropCommand(emitted.command, emitted.reason);
      case 'commandUnconfirmed':
        return this.#reportUnconfirmed(emitted.command);
      case 'commandConfirmed':
        return;
    }
  }

  #tellStatus(): void {
    const status = toConnectionStatus(this.actor.getSnapshot());
    if (status === this.#toldStatus) return;
    this.#toldStatus = status;
    this.#listeners.emit('status_changed', status);
  }

  #reportUnconfirmed(command: QueuedCommand): void {
    this.#listeners.emit('command_unconfirmed', command.commandId, command.frame);
    this.#reportError(
      new AgentGatewayError(
        'commandUnconfirmed',
        `Command "${command.frame.type}" was written but not confirmed before the link was lost; it was not re-sent`,
        { command: { ...command.frame, commandId: command.commandId }, reason: 'unconfirmed' },
      ),
    );
  }

  #startLedger(chatKey: string): void {
    // The first session resumes from the `lastEventId` option; a new chatKey starts from scratch,
    // and the same chatKey again resumes where the last session stopped.
    if (this.#ledgerChatKey !== undefined && this.#ledgerChatKey !== chatKey) {
      this.#ledger.reset();
      this.#sessionStatus = undefined;
    }
    this.#ledgerChatKey = chatKey;
  }

  #rejectCommand(command: QueuedCommand, reason: CommandRefusal): void {
    const receipt: CommandReceipt = { commandId: command.commandId, status: 'rejected', reason };
    if (this.#receipt?.commandId === command.commandId) Object.assign(this.#receipt, receipt);
    this.#listeners.emit('command_rejected', receipt);
    const why =
      reason === 'notConnected' ? 'there is no active session (call connect first)' : 'the outbox is full';
    this.#reportError(
      new AgentGatewayError('commandRejected', `Command "${command.frame.type}" was rejected: ${why}`, {
        command: { ...command.frame, commandId: command.commandId },
        reason,
      }),
    );
  }

  #dropCommand(command: QueuedCommand, dropped: 'outboxFull' | 'sessionEnded'): void {
    // Emitted events arrive after the machine has settled: the snapshot already says why the session ended.
    const ended = this.getSnapshot().disconnectReason;
    const reason: CommandDropReason =
      dropped === 'outboxFull'
        ? 'outboxFull'
        : ended !== undefined && ended !== 'idle'
          ? ended
          : 'userDisconnect';
    this.#listeners.emit('command_dropped', command.commandId, command.frame, reason);
    this.#reportError(
      new AgentGatewayError('commandDropped', `Command "${command.frame.type}" was dropped (${reason})`, {
        command: { ...command.frame, commandId: command.commandId },
        reason,
      }),
    );
  }

  #deliver(message: DeliveredMessage): void {
    const listeners = this.#listeners;
    listeners.emit('message', message);
    switch (message.type) {
      case 'agent_event':
        return listeners.emit('agent_event', message);
      case 'status_change':
        listeners.emit('status_update', message);
        return this.#updateSessionStatus(message.status, true);
      case 'tool_confirmation_request':
        return listeners.emit('tool_confirmation_request', message);
      case 'input_request':
        return listeners.emit('input_request', message);
      case 'error':
        return this.#reportError(
          new AgentGatewayError('session', message.message, { code: message.code, eventId: message.id }),
        );
    }
  }

  #updateSessionStatus(status: SessionStatus, always = false): void {
    // A status_change is always an event of its own; resume_complete only restates the status, so it
    // is reported only when it tells something new.
    if (!always && status === this.#sessionStatus) return;
    this.#sessionStatus = status;
    this.#listeners.emit('session_status', status);
  }

  #reportFrameError(error: FrameError): void {
    this.#malformedFrames++;
    this.#logger.warn('[AgentGatewayClient] Failed to parse message:', error);
    this.#reportError(error);
  }

  #reportError(error: Error): void {
    this.#listeners.emit('error', error);
  }
}
