import { AgentGatewayClient, type CommandReceipt, toConnectionStatus } from 'agent-gateway-client';
import { vi } from 'vitest';
import { INVARIANTS, type Invariant, overdue, receiptProblem, statusProblem } from './checks.js';
import type { FakeEnvironment } from '../support/browser.js';
import { createFuzzSocketClass, type FuzzSocket } from './fuzzSocket.js';
import { attachListeners, DELIVERING, THROWN } from './listeners.js';
import { type FuzzConfig, TIMINGS } from './steps.js';

const COMMAND_TYPES: ReadonlySet<string> = new Set(['interrupt', 'tool_confirmation', 'user_input']);

/**
 * The client under test, its sockets, and the model the invariants are checked against. Checks that
 * must see the moment something happens (writes, deliveries, machine steps) record violations;
 * `assertClean` turns the first one into a failure at the end of the step.
 */
export class FuzzWorld {
  readonly client: AgentGatewayClient;
  readonly sockets: FuzzSocket[];
  readonly violations: string[] = [];
  // Commands, by commandId.
  readonly issued = new Set<string>();
  readonly written = new Set<string>();
  readonly rejected = new Set<string>();
  readonly dropped = new Set<string>();
  /** Commands a heartbeat round trip proved the gateway read (see `confirmAcked`). */
  readonly confirmed = new Set<string>();
  /** The chatKey of the ledger: a session with another chatKey starts a new one. */
  ledgerChatKey: string | undefined;
  /** Ids the ledger must hold: valid id-bearing frames delivered on a live socket. */
  readonly accepted = new Set<string>();
  readonly #delivered = new Map<string, Set<string>>(
    [...DELIVERING, 'error'].map((listener) => [listener, new Set()]),
  );
  /** The id of the valid frame being delivered on the live socket right now, if any. */
  liveFrameId: string | undefined;
  /** Client events of every kind so far. */
  clientEvents = 0;
  /** Frames written by the client so far, on any socket. */
  writes = 0;
  disposed = false;
  /** The static token the next `auth` must carry. */
  token = 't1';
  /** When the pending reconnect is due. */
  retryDueAt = 0;
  #newSockets = 0;
  readonly #watched = new Set<FuzzSocket>();

  constructor(
    readonly config: FuzzConfig,
    readonly environment: FakeEnvironment,
    /** Machine states reached, counted: how much of the machine the script covered. */
    readonly coverage: Record<string, number> = {},
  ) {
    const { WebSocket, sockets } = createFuzzSocketClass(
      (socket, raw) => this.#onWrite(socket, raw),
      config.syncCloseEvents,
    );
    this.sockets = sockets;
    this.client = new AgentGatewayClient({
      gatewayUrl: 'https://gateway.test/',
      token: this.token,
      WebSocket,
      // The client logs a listener that threw: only the deliberately throwing one may.
      logger: { warn: () => undefined, error: (...args: unknown[]) => this.#onLoggedError(args) },
      watchEnvironment: config.watchEnvironment,
      jitterSeed: config.randomSeed,
      ...TIMINGS,
      maxReconnectAttempts: config.maxReconnectAttempts,
      maxQueuedCommands: config.maxQueuedCommands,
      outboxOverflow: config.outboxOverflow,
      reconnectJitter: config.reconnectJitter,
      autoReconnect: config.autoReconnect,
      wantStatus: config.wantStatus,
    });
    attachListeners(this);
    this.client.subscribe(() => {
      const state = JSON.stringify(this.client.actor.getSnapshot().value);
      this.coverage[state] = (this.coverage[state] ?? 0) + 1;
      this.checkLink();
    });
  }

  fail(invariant: Invariant, detail: string): void {
    this.violations.push(`${INVARIANTS[invariant]}: ${detail}`);
  }

  /** Fails the step with the first violation recorded. */
  assertClean(where: string): void {
    const [first] = this.violations;
    if (first !== undefined) throw new Error(`${first}\n  (detected ${where})`);
  }

  /** The socket the client currently uses, if it is live. */
  get live(): FuzzSocket | undefined {
    const latest = this.sockets.at(-1);
    return latest?.live ? latest : undefined;
  }

  /** I2, I3 and I8, after every machine step and every script step. */
  checkLink(): void {
    for (; this.#newSockets < this.sockets.length; this.#newSockets++) {
      this.#watched.add(this.sockets[this.#newSockets] as FuzzSocket);
    }
    const latest = this.sockets.at(-1);
    let live: FuzzSocket | undefined;
    for (const socket of this.#watched) {
      if (socket.live) {
        if (live !== undefined) this.fail(2, `sockets #${live.index} and #${socket.index} are both live`);
        if (socket !== latest)
          this.fail(2, `socket #${socket.index} is live but #${latest?.index} replaced it`);
        live = socket;
      } else if (socket.listenerCount() > 0) {
        const by = socket.serverClosed ? 'the server' : `the client (${socket.closedWith?.code})`;
        this.fail(
          2,
          `socket #${socket.index}, closed by ${by}, still has ${socket.listenerCount()} listeners`,
        );
      } else {
        this.#watched.delete(socket);
      }
    }
    const snapshot = this.client.actor.getSnapshot();
    if (!this.disposed && snapshot.status !== 'active')
      this.fail(1, `the machine is ${snapshot.status}: ${String(snapshot.error)}`);
    const status = this.client.connectionStatus;
    const derived = toConnectionStatus(snapshot);
    if (status !== derived)
      this.fail(3, `connectionStatus is "${status}", the machine state says "${derived}"`);
    const problem = statusProblem(status, live);
    if (problem) this.fail(3, `"${status}" but ${problem} (state ${JSON.stringify(snapshot.value)})`);
    // A disposed client waits for nothing: its timers are gone (I7 checks that).
    const late = this.disposed ? undefined : overdue(status, live, this.retryDueAt);
    if (late) this.fail(8, `still "${status}": ${late}`);
  }

  /** I6 and I7 once the client is disposed. */
  checkDisposed(): void {
    const { client } = this;
    for (const socket of this.sockets) {
      if (socket.live) this.fail(7, `socket #${socket.index} is still live after dispose`);
      if (socket.listenerCount() > 0)
        this.fail(7, `socket #${socket.index} still has listeners after dispose`);
    }
    if (vi.getTimerCount() !== 0) this.fail(7, `${vi.getTimerCount()} timers remain after dispose`);
    if (this.environment.listeners() !== 0)
      this.fail(7, `${this.environment.listeners()} browser event listeners remain after dispose`);
    if (client.actor.getSnapshot().status !== 'stopped') this.fail(7, 'the machine still runs after dispose');
    if (client.connectionStatus !== 'disconnected')
      this.fail(7, `connectionStatus is "${client.connectionStatus}" after dispose`);
    const unaccounted = [...this.issued].filter(
      (id) => !this.written.has(id) && !this.rejected.has(id) && !this.dropped.has(id),
    );
    if (unaccounted.length > 0)
      this.fail(6, `commands neither written, rejected nor dropped after dispose: ${unaccounted.join(', ')}`);
  }

  /** A command call of the user (or of a listener), with I6's checks of the receipt. */
  issue(call: () => CommandReceipt, fromMachineCallback = false): void {
    const before = this.client.connectionStatus;
    const receipt = call();
    const { commandId } = receipt;
    if (this.issued.has(commandId)) this.fail(6, `commandId ${commandId} was issued twice`);
    this.issued.add(commandId);
    const problem = receiptProblem(receipt, {
      before,
      written: this.written.has(commandId),
      rejected: this.rejected.has(commandId),
      socketOpen: this.live?.readyState === 1,
      fromMachineCallback,
      disposed: this.disposed,
    });
    if (problem) this.fail(6, `receipt ${JSON.stringify(receipt)}: ${problem}`);
    // A refusal is told by the receipt (an `error` tells it only after a `pending` receipt).
    if (receipt.status === 'rejected') this.rejected.add(commandId);
  }

  /**
   * After an ack delivered on the live socket: the gateway answers a socket's heartbeats in order, so
   * n acks prove it read everything written before the n-th heartbeat.
   */
  confirmAcked(socket: FuzzSocket): void {
    for (const [commandId, heartbeatsBefore] of socket.unconfirmed) {
      if (socket.acksReceived > heartbeatsBefore) {
        this.confirmed.add(commandId);
        socket.unconfirmed.delete(commandId);
      }
    }
  }

  /** Forgets the delivered ids: a session with another chatKey starts a new ledger. */
  resetLedger(): void {
    this.accepted.clear();
    for (const ids of this.#delivered.values()) ids.clear();
  }

  /** Whether `id` reached the `message` listeners. */
  wasDelivered(id: string): boolean {
    return this.#delivered.get('message')?.has(id) ?? false;
  }

  /** I4: a listener received an id-bearing frame. */
  onDelivered(listener: string, id: string): void {
    if (this.liveFrameId !== id)
      this.fail(4, `"${listener}" received id "${id}", which is not the valid frame being delivered`);
    const ids = this.#delivered.get(listener) as Set<string>;
    if (ids.has(id)) this.fail(4, `"${listener}" received id "${id}" twice`);
    ids.add(id);
  }

  /** I5 and I6 at the moment the client writes a frame. */
  #onWrite(socket: FuzzSocket, raw: string): void {
    this.writes++;
    const frame = JSON.parse(raw) as Record<string, unknown>;
    const type = String(frame.type);
    if (!socket.live) this.fail(2, `"${type}" written to socket #${socket.index}, which is not live`);
    if (type === 'auth') {
      if (socket.wireAuth === 'authed')
        this.fail(5, `auth re-sent on socket #${socket.index} without auth_expired`);
      if (frame.token !== this.token)
        this.fail(5, `auth carries token "${frame.token}", not "${this.token}"`);
      socket.authWrites++;
      socket.authSucceeded = false;
      socket.authWrittenAt = Date.now();
      return;
    }
    if (socket.wireAuth !== 'authed') {
      const when = socket.wireAuth === 'expired' ? 'after auth_expired, before the next' : 'before';
      this.fail(5, `"${type}" written on socket #${socket.index} ${when} auth_success`);
    }
    if (type === 'heartbeat') {
      socket.heartbeatsWritten++;
    } else if (type === 'resume') {
      const { lastEventId } = this.client;
      if (frame.lastEventId !== lastEventId || frame.wantStatus !== (this.config.wantStatus || undefined))
        this.fail(4, `resume ${raw} while lastEventId is "${lastEventId}"`);
    } else if (COMMAND_TYPES.has(type)) {
      this.#onCommandWrite(socket, String(frame.commandId));
    } else {
      this.fail(5, `unexpected frame ${raw}`);
    }
  }

  #onCommandWrite(socket: FuzzSocket, commandId: string): void {
    const where = `command ${commandId} written on socket #${socket.index}`;
    if (socket.commandIds.has(commandId)) this.fail(6, `${where} twice`);
    // A server that acks heartbeats it never got makes "confirmed" meaningless: not checked then.
    if (!this.config.strayAcks && this.confirmed.has(commandId))
      this.fail(6, `${where} after a heartbeat ack confirmed it on an earlier socket`);
    if (this.rejected.has(commandId)) this.fail(6, `${where} after it was rejected`);
    if (this.dropped.has(commandId)) this.fail(6, `${where} after it was reported dropped`);
    socket.commandIds.add(commandId);
    socket.unconfirmed.set(commandId, socket.heartbeatsWritten);
    this.written.add(commandId);
  }

  #onLoggedError(args: unknown[]): void {
    const error = args[1];
    if (error instanceof Error && error.message === THROWN) return;
    this.fail(1, `a listener or subscriber threw: ${args.map(String).join(' ')}`);
  }
}
