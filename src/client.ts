import { type Actor, createActor } from 'xstate';
import {
  type ConnectionEmitted,
  type ConnectionMachine,
  connectionMachine,
} from '../machines/connection.machine.js';
import {
  type ConnectionStatus,
  toConnectionStatus,
  toDisconnectReason,
} from '../machines/connectionStatus.js';
import {
  type AgentGatewayClientEvents,
  type ClientSnapshot,
  type ClientStats,
  type CommandReceipt,
  type IAgentGatewayClient,
} from './client.types.js';
import { type DeliveredMessage, provideClientDependencies } from './clientDependencies.js';
import { type ClientEventCall, clientEventsFor, clientEventsForFrame } from './clientEvents.js';
import { memoizeClientSnapshot } from './clientSnapshot.js';
import { readReceipt, toolConfirmation, userInput } from './commands.js';
import { type ClientDialect, originalDialect } from './dialect.js';
import { environmentActor } from './environment.actor.js';
import type { EventLedger } from './ledger.js';
import { Listeners } from './listeners.js';
import { MalformedFrameLog } from './malformedFrames.js';
import {
  type AgentGatewayClientOptions,
  checkOptions,
  guardLogger,
  type Logger,
  toConnectionConfig,
  toFrameLimits,
} from './options.js';
import type { FrameError } from './protocol/parse.js';
import type { CommandFrame, SessionStatus, ToolResultFrame } from './protocol/types.js';
import { socketActor } from './socket.actor.js';

// One definition for every client (a provided machine is a whole new node tree, ~40 KB): each
// client's own dependencies reach the actors through its actor system.
const clientMachine = connectionMachine.provide({
  actors: { socket: socketActor, environment: environmentActor },
});

/**
 * The agent gateway client: a facade over the connection machine and its socket adapter, with the
 * original client's interface and events (docs/protocol.md).
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
  /** The gateway's protocol (the `dialect` option). Default the original protocol. */
  readonly dialect: ClientDialect;
  readonly #listeners: Listeners<AgentGatewayClientEvents>;
  readonly #ledger: EventLedger;
  readonly #logger: Logger;
  readonly #malformed: MalformedFrameLog;
  readonly #getToken: (() => string | Promise<string>) | undefined;
  readonly #commandPrefix = Math.random().toString(36).slice(2, 10);
  // Commands whose receipt said `pending`: only their refusal is still to be told.
  readonly #pending = new Set<string>();
  #token: string | undefined;
  #commandCount = 0;
  #conversation = 0;
  #sessionStatus: SessionStatus | undefined;
  // The last status told to `status_changed` listeners: each change is told once.
  #toldStatus: ConnectionStatus = 'disconnected';

  // Client code running inside a machine step (listeners of its events): dispose waits for the step.
  #inMachineStep = 0;
  readonly #readSnapshot = memoizeClientSnapshot();
  #disposed = false;

  constructor(options: AgentGatewayClientOptions) {
    const dialect = options.dialect ?? originalDialect;
    this.dialect = dialect;
    const WebSocketClass = checkOptions(options, dialect);
    const frameLimits = toFrameLimits(options);
    this.#logger = guardLogger(options.logger ?? console);
    this.#malformed = new MalformedFrameLog(this.#logger);
    this.#token = options.token;
    this.#getToken = options.getToken;
    this.#ledger = dialect.createLedger(options.lastEventId ?? '', options.dedupeWindow);
    this.#listeners = new Listeners((error, event) =>
      this.#logger.error(`[AgentGatewayClient] A "${event}" listener threw:`, error),
    );
    this.actor = createActor(clientMachine, {
      input: { config: toConnectionConfig(options, dialect), jitterSeed: options.jitterSeed },
      ...(options.inspect ? { inspect: options.inspect } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    provideClientDependencies(this.actor.system, {
      gatewayUrl: options.gatewayUrl,
      dialect,
      frameLimits,
      WebSocket: WebSocketClass,
      getToken: () => (this.#getToken ? this.#getToken() : (this.#token ?? '')),
      ledger: this.#ledger,
      deliver: (message) => this.#deliver(message),
      // `message` then `agent_event` listeners, in one dispatch.
      deliverAgentEvent: this.#listeners.route('message', 'agent_event'),
      reportFrameError: (error) => this.#reportFrameError(error),
      watchEnvironment: options.watchEnvironment ?? true,
      duringMachineStep: (run) => this.#duringMachineStep(run),
    });
    this.actor.on('*', (emitted) => this.#duringMachineStep(() => this.#onMachineEvent(emitted)));
    // Changes that emit nothing (connecting → authenticating) are told when the snapshot changes.
    this.actor.subscribe(() => this.#duringMachineStep(() => this.#tellStatus()));
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
    return { malformedFrames: this.#malformed.count, duplicateFrames: this.#ledger.duplicates };
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
    if (this.#inMachineStep === 0) return finish();
    // Called while the machine is mid-step (from a listener), the disconnect waits in its queue and
    // events of the step are still to be told: it finishes once the disconnect has taken effect.
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
    return this.#issue(toolConfirmation(toolCallId, approved));
  }

  /** Answers an input request. */
  sendUserInput(requestId: string, content: string): CommandReceipt {
    return this.#issue(userInput(requestId, content));
  }

  /**
   * Answers a `tool_execute` of LobeHub's gateways: the result of a tool the gateway asked the app to
   * run, correlated by `toolCallId`.
   */
  sendToolResult(result: Omit<ToolResultFrame, 'type' | 'commandId'>): CommandReceipt {
    if (typeof result?.toolCallId !== 'string' || result.toolCallId.length === 0)
      throw new TypeError('toolCallId must be a string');
    return this.#issue({ ...result, type: 'tool_result' });
  }

  /** Replaces the static token; used by the next `auth` (the current link is kept). */
  updateToken(token: string): void {
    if (typeof token !== 'string' || token.length === 0)
      throw new TypeError('token must be a non-empty string');
    this.#token = token;
  }

  /** The current immutable snapshot; the same object until the machine changes state. */
  getSnapshot(): ClientSnapshot {
    return this.#readSnapshot(this.actor.getSnapshot());
  }

  /** Calls `listener` after every change of the snapshot; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    const subscription = this.actor.subscribe(() =>
      this.#duringMachineStep(() => {
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
    const commandId = `${this.#commandPrefix}-${++this.#commandCount}`;
    if (this.#disposed) return { commandId, status: 'rejected', reason: 'notConnected' };
    this.actor.send({ type: 'user.command', command: { commandId, frame } });
    const receipt = readReceipt(commandId, this.actor.getSnapshot().context);
    if (receipt.status === 'pending') this.#pending.add(commandId);
    return receipt;
  }

  #onMachineEvent(emitted: ConnectionEmitted): void {
    // Emitted events run once the machine has settled: its status goes first, as the original client
    // sets its status before it emits `connected`, `reconnecting` or `disconnected`.
    this.#tellStatus();
    switch (emitted.type) {
      case 'sessionStarted':
        // The machine decides when another conversation starts; its ids and resume point start over.
        if (emitted.conversation !== this.#conversation) {
          this.#conversation = emitted.conversation;
          this.#ledger.reset();
          this.#sessionStatus = undefined;
        }
        return;
      case 'historyLost':
        this.#listeners.emit('history_lost', this.#ledger.replayed, emitted.status);
        break;
      case 'resumed':
        this.#tell(clientEventsFor(emitted, undefined));
        return this.#updateSessionStatus(emitted.status, false);
      case 'commandRejected':
        // Told by the receipt, unless the receipt could only say `pending`.
        if (!this.#pending.delete(emitted.command.commandId)) return;
        break;
      case 'commandWritten':
      case 'commandDropped':
        this.#pending.delete(emitted.command.commandId);
        break;
    }
    this.#tell(
      clientEventsFor(emitted, toDisconnectReason(this.actor.getSnapshot()), this.#ledger.lastEventId),
    );
  }

  #duringMachineStep(run: () => void): void {
    this.#inMachineStep++;
    try {
      run();
    } finally {
      this.#inMachineStep--;
    }
  }

  #tell(calls: ClientEventCall[]): void {
    // Each call is an event name with its own listeners' arguments (ClientEventCall pairs them).
    for (const call of calls) this.#listeners.emit(...(call as [keyof AgentGatewayClientEvents]));
  }

  #tellStatus(): void {
    const status = toConnectionStatus(this.actor.getSnapshot());
    if (status === this.#toldStatus) return;
    this.#toldStatus = status;
    this.#listeners.emit('status_changed', status);
  }

  #deliver(message: DeliveredMessage): void {
    this.#listeners.emit('message', message);
    this.#tell(clientEventsForFrame(message));
    if (message.type === 'status_change') this.#updateSessionStatus(message.status, true);
  }

  // A status_change is always an event of its own; resume_complete only restates the status, so it
  // is told only when it says something new.
  #updateSessionStatus(status: SessionStatus, always: boolean): void {
    if (!always && status === this.#sessionStatus) return;
    this.#sessionStatus = status;
    this.#listeners.emit('session_status', status);
  }

  #reportFrameError(error: FrameError): void {
    this.#malformed.record(error);
    this.#listeners.emit('error', error);
  }
}
