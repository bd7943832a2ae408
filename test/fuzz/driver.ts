import { vi } from 'vitest';
import type { FakeEnvironment } from '../support/browser.js';
import { type FrameSpec, REFERENCE_AUTH_SUCCESS } from './frames.js';
import type { FuzzSocket } from './fuzzSocket.js';
import type { Scenario, Step, Target } from './steps.js';
import { ServerFrames, type Wire } from './wire.js';
import { FuzzWorld } from './world.js';

/** Counts over every run of a property (shrinking runs included). */
export interface Totals {
  runs: number;
  steps: number;
  /** Server frames delivered, on any socket. */
  frames: number;
  /** Of which on the client's live socket. */
  liveFrames: number;
  /** Id-bearing frames the ledger accepted that reached no listener. */
  swallowed: number;
  /** Script steps that ended in each connection status. */
  statuses: Record<string, number>;
  /** Machine states reached (after machine steps), counted. */
  states: Record<string, number>;
}

export const emptyTotals = (): Totals => ({
  runs: 0,
  steps: 0,
  frames: 0,
  liveFrames: 0,
  swallowed: 0,
  statuses: {},
  states: {},
});

const TRACE_LENGTH = 40;

/** Runs one script against a fresh client, checking the invariants after every step; throws on a violation. */
export function runScenario(scenario: Scenario, totals: Totals, environment: FakeEnvironment): void {
  new Driver(scenario, totals, environment).run();
}

class Driver {
  readonly world: FuzzWorld;
  readonly server: ServerFrames;
  readonly #trace: string[] = [];

  constructor(
    readonly scenario: Scenario,
    readonly totals: Totals,
    readonly environment: FakeEnvironment,
  ) {
    this.world = new FuzzWorld(scenario.config, environment, totals.states);
    this.server = new ServerFrames(scenario.config.strayAcks);
  }

  run(): void {
    const { world, totals } = this;
    totals.runs++;
    try {
      for (const [index, step] of this.scenario.steps.entries()) {
        // A listener disposed the client: what is left to check is that it stays quiet.
        if (world.disposed) break;
        this.#record(`#${index} ${JSON.stringify(step)} ${this.#step(step)}`);
        totals.steps++;
        const status = world.client.connectionStatus;
        totals.statuses[status] = (totals.statuses[status] ?? 0) + 1;
        this.#check(`after step #${index}`);
      }
      this.#finish();
    } finally {
      if (!world.disposed) this.#guard('dispose()', () => world.client.dispose());
      vi.clearAllTimers();
    }
  }

  #check(where: string): void {
    this.world.checkLink();
    try {
      this.world.assertClean(where);
    } catch (error) {
      (error as Error).message +=
        `\n  last steps (→ the socket each acted on):\n    ${this.#trace.join('\n    ')}`;
      throw error;
    }
  }

  #record(line: string): void {
    if (this.#trace.push(line) > TRACE_LENGTH) this.#trace.shift();
  }

  /** I1: runs a client call or a socket event, recording anything it throws. */
  #guard(what: string, action: () => void): void {
    try {
      action();
    } catch (error) {
      this.world.fail(
        1,
        `${what} threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }

  /** Runs one step; returns what it acted on, for the trace. */
  #step(step: Step): string {
    const { client, live } = this.world;
    switch (step.step) {
      case 'open':
        if (live?.readyState !== 0) return 'skipped';
        this.#guard('open', () => live.open());
        return `→ #${live.index}`;
      case 'frame':
        return this.#frame(step.target, step.spec);
      case 'stream':
        return this.#stream(step.count);
      case 'progress':
        return this.#progress();
      case 'serverClose': {
        const socket = this.#resolve(step.target);
        if (socket === undefined) return 'skipped';
        this.#guard('a server close', () => socket.closeFromServer(step.code, 'fuzz'));
        return `→ #${socket.index}`;
      }
      case 'error':
        if (live === undefined) return 'skipped';
        this.#guard('an error event', () => live.emitError('boom'));
        if (step.thenClose) this.#guard('a close after an error', () => live.closeFromServer(1006, ''));
        return `→ #${live.index}`;
      case 'closing':
        if (live?.readyState !== 1) return 'skipped';
        live.beginClosing();
        return `→ #${live.index}`;
      case 'online':
      case 'visible':
        return this.#browser(step.step);
      case 'connect':
        return this.#connect(step.chatKey);
      case 'disconnect':
        this.#guard('disconnect()', () => client.disconnect());
        return '';
      case 'reconnect':
        this.#guard('reconnect()', () => client.reconnect());
        return '';
      case 'interrupt':
        return this.#issue('sendInterrupt()', () => client.sendInterrupt());
      case 'toolConfirmation':
        return this.#issue('sendToolConfirmation()', () =>
          client.sendToolConfirmation(step.toolCallId, step.approved),
        );
      case 'userInput':
        return this.#issue('sendUserInput()', () => client.sendUserInput(step.requestId, step.content));
      case 'updateToken':
        this.#guard('updateToken()', () => client.updateToken(step.token));
        this.world.token = step.token;
        return '';
      case 'advance':
        this.#guard(`advancing the clock ${step.ms} ms`, () => vi.advanceTimersByTime(step.ms));
        return '';
      case 'nextTimer':
        this.#guard('advancing to the next timer', () => vi.advanceTimersToNextTimer());
        return '';
    }
  }

  #issue(what: string, call: Parameters<FuzzWorld['issue']>[0]): string {
    const before = this.world.client.connectionStatus;
    this.#guard(what, () => this.world.issue(call));
    return `(while ${before})`;
  }

  #connect(chatKey: string): string {
    const { world } = this;
    const before = world.client.connectionStatus;
    const sockets = world.sockets.length;
    this.#guard('connect()', () => world.client.connect(chatKey));
    if (before !== 'disconnected') {
      if (world.sockets.length !== sockets) world.fail(2, `connect() while ${before} opened another socket`);
      return `(no-op while ${before})`;
    }
    if (world.ledgerChatKey !== undefined && world.ledgerChatKey !== chatKey) {
      world.resetLedger();
      if (world.client.lastEventId !== '')
        world.fail(4, `a new chatKey kept lastEventId "${world.client.lastEventId}"`);
    }
    world.ledgerChatKey = chatKey;
    return `→ #${world.sockets.length - 1}`;
  }

  /** I9: the browser comes online or the page becomes visible. */
  #browser(event: 'online' | 'visible'): string {
    const { world } = this;
    const { status, disconnectReason } = world.client.getSnapshot();
    const sockets = world.sockets.length;
    this.#guard(`the browser's ${event} event`, () =>
      event === 'online' ? this.environment.goOnline() : this.environment.becomeVisible(),
    );
    const opened = world.sockets.length > sockets;
    const expected =
      world.config.watchEnvironment && (status === 'reconnecting' || disconnectReason === 'gaveUp');
    if (opened !== expected)
      world.fail(
        9,
        `${opened ? 'a socket was' : 'no socket was'} opened while ${status} (${disconnectReason})`,
      );
    return `(while ${status}${disconnectReason ? ` ${disconnectReason}` : ''})`;
  }

  /** The current socket if it is live (and open, for frames), or an abandoned one. */
  #resolve(target: Target, open = false): FuzzSocket | undefined {
    if (target === 'current') {
      const live = this.world.live;
      return live && (!open || live.readyState === 1) ? live : undefined;
    }
    const abandoned = this.world.sockets.filter((socket) => !socket.live);
    return abandoned[target.old % Math.max(1, abandoned.length)];
  }

  #frame(target: Target, spec: FrameSpec): string {
    const socket = this.#resolve(target, true);
    const wire = socket && this.server.render(spec, socket);
    if (socket === undefined || wire === undefined) return 'skipped';
    if (!this.#deliver(socket, wire)) return 'skipped (a live duplicate: the gateway promised none)';
    return `→ #${socket.index} ${wire.raw}`;
  }

  /**
   * A gateway that announced `resume_complete` sends no duplicate once its replay is over, so the
   * client no longer looks ids up then (docs/protocol.md): a duplicate there is off the protocol.
   */
  #breaksLiveOrder(wire: Wire): boolean {
    if (!wire.valid || wire.id === undefined || !this.world.accepted.has(wire.id)) return false;
    const state = this.world.client.getSnapshot().state as { link?: { connected?: { replay?: string } } };
    return state.link?.connected?.replay === 'live';
  }

  #stream(count: number): string {
    const socket = this.#resolve('current', true);
    if (socket === undefined) return 'skipped';
    for (let i = 0; i < count && socket.live; i++) {
      if (i > 0) this.#check(`in a stream, after frame e${this.server.lastId}`);
      this.#deliver(socket, this.server.event({ kind: 'text_delta', content: `token ${i} ` }));
    }
    return `→ #${socket.index} up to e${this.server.lastId}`;
  }

  /**
   * The next thing that moves a session forward: the user connects, the backoff elapses, the socket
   * opens, the server authenticates it, answers a heartbeat, streams an event, or ends a closing handshake.
   */
  #progress(): string {
    const { client, live } = this.world;
    if (live === undefined) {
      if (client.connectionStatus === 'disconnected') return `connect ${this.#connect('chat-1')}`;
      this.#guard('advancing to the next timer', () => vi.advanceTimersToNextTimer());
      return 'next timer';
    }
    if (live.readyState !== 1) {
      const opening = live.readyState === 0;
      this.#guard(opening ? 'open' : 'a close event', () =>
        opening ? live.open() : live.closeFromServer(1001, 'Going away'),
      );
      return `→ #${live.index} ${opening ? 'open' : 'closed'}`;
    }
    const spec: FrameSpec = !live.authSucceeded
      ? { frame: 'valid', body: REFERENCE_AUTH_SUCCESS }
      : live.acksSent < live.heartbeatsWritten
        ? { frame: 'ack' }
        : {
            frame: 'valid',
            body: { type: 'agent_event', event: { kind: 'thinking', content: '…' } },
            id: { id: 'next' },
          };
    const wire = this.server.render(spec, live) as Wire;
    this.#deliver(live, wire);
    return `→ #${live.index} ${wire.raw}`;
  }

  /**
   * Delivers one frame and checks I4 (and, on an abandoned socket, that nothing at all happens).
   * Returns `false`, delivering nothing, for a frame no gateway that keeps the protocol would send.
   */
  #deliver(socket: FuzzSocket, wire: Wire): boolean {
    const { world, totals } = this;
    const { client } = world;
    const live = socket.live;
    if (live && this.#breaksLiveOrder(wire)) return false;
    const before = { lastEventId: client.lastEventId, snapshot: client.actor.getSnapshot() };
    const activity = world.clientEvents + world.writes;
    const id = live && wire.valid ? wire.id : undefined;
    const fresh = id !== undefined && !world.accepted.has(id);
    if (live) socket.noteReceived(wire.type, wire.valid);
    totals.frames++;
    if (live) totals.liveFrames++;
    world.liveFrameId = id;
    this.#guard(`delivering ${wire.raw}`, () => socket.receive(wire.raw));
    world.liveFrameId = undefined;
    if (live && wire.type === 'heartbeat_ack') world.confirmAcked(socket);
    const now = client.lastEventId;
    if (fresh) {
      world.accepted.add(id);
      if (now !== id)
        world.fail(4, `new valid frame ${wire.raw} on the live socket left lastEventId at "${now}"`);
      if (!world.wasDelivered(id)) totals.swallowed++;
    } else if (now !== before.lastEventId) {
      const to = !live
        ? 'an abandoned socket'
        : wire.valid
          ? 'the live socket (a duplicate)'
          : 'the live socket';
      world.fail(
        4,
        `lastEventId moved from "${before.lastEventId}" to "${now}" on ${wire.raw} sent to ${to}`,
      );
    }
    if (
      !live &&
      (client.actor.getSnapshot() !== before.snapshot || world.clientEvents + world.writes !== activity)
    )
      world.fail(2, `${wire.raw} sent to abandoned socket #${socket.index} changed the client`);
    return true;
  }

  /** Disposes the client, checks I6 and I7, then that the last socket's late words reach nobody. */
  #finish(): void {
    const { world } = this;
    // Disposed from the first instant, as the client is: listeners called during dispose see it so.
    world.disposed = true;
    this.#guard('dispose()', () => world.client.dispose());
    this.#record('dispose()');
    world.checkDisposed();
    const last = world.sockets.at(-1);
    if (last !== undefined) {
      this.#deliver(last, { raw: '{"type":"auth_success"}', valid: true, type: 'auth_success' });
      this.#guard('a close after dispose', () => last.closeFromServer(1006, ''));
    }
    this.#check('after dispose');
  }
}
