/**
 * The connection contract (docs/connection-machine.md, docs/protocol.md) written a second time, as a plain reducer over
 * what a user, a gateway and the clock do — deliberately not the machine: nothing here comes from
 * `machines/` or `src/`. It says, for every stimulus, what a user of the client must observe: the
 * frames written on each socket (contents), the close code and reason, the events told with their
 * payloads, the timers armed and their delays, the attempt count and the command receipts.
 *
 * It keeps the socket adapter's documented rules too (docs/architecture.md): a closed socket is
 * ignored; after a heartbeat the first frame of any kind is proof of life; a CLOSING socket takes no
 * writes; to a gateway that announced nothing, frames are held after `auth_success` until the ack of
 * the heartbeat written after `resume` (or a `resume_complete`), then delivered once each, at its
 * last place.
 *
 * And the limits of issue 12: a link re-authenticates (`auth_expired`) at most `maxReauthsPerLink`
 * times before its replay completes (the count starts over once a link is live, and with each link);
 * the one after closes the socket with 4000 `Too many re-authentications` and the link is lost. An
 * authenticated link may send `maxMalformedFramesPerSecond` malformed frames within the one-second
 * window its first one opens; one more closes it with 4000 `Too many malformed frames`. A
 * `resume_complete` with `recovered: false` tells `history_lost` (the frames of the replay it ends,
 * when it ends one) and an error of kind `historyLost`.
 */
import { describeOracleError, type OracleCommand, type Told } from './oracleTold.js';

export type { Told } from './oracleTold.js';

/** The options the contract depends on (the model runs with `reconnectJitter: 0`). */
export interface OracleConfig {
  autoReconnect: boolean;
  maxReconnectAttempts: number;
  initialReconnectDelayMs: number;
  maxReconnectDelayMs: number;
  connectTimeoutMs: number;
  authTimeoutMs: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  minUptimeMs: number;
  maxQueuedCommands: number;
  outboxOverflow: 'rejectNew' | 'dropOldest';
  wantStatus: boolean;
  maxReauthsPerLink: number;
  maxMalformedFramesPerSecond: number;
}

export type TimerName =
  | 'connectTimeout'
  | 'authTimeout'
  | 'heartbeatInterval'
  | 'heartbeatTimeout'
  | 'minUptime'
  | 'backoff'
  | 'malformedWindow';

/** The window in which malformed frames are counted: fixed, not an option. */
export const MALFORMED_WINDOW_MS = 1_000;

/** A frame from the gateway, as the driver sends it. */
export type GatewayFrame = { type: string; id?: string; [field: string]: unknown };

/** What the world does in one step: a user call, the gateway, the socket, the clock. */
export type Stimulus =
  | { type: 'connect' | 'disconnect' | 'reconnect' | 'command' | 'online' | 'visible' | 'nothing' }
  /** The gateway's close frame arrives (the socket is CLOSING), then the user issues a command. */
  | { type: 'closingCommand' }
  | { type: 'open' }
  | { type: 'serverClose'; code: number; reason: string }
  | { type: 'socketError'; message: string }
  | { type: 'frames'; frames: GatewayFrame[] }
  /** A frame that is not JSON. */
  | { type: 'malformed'; text: string }
  /** Every pending token request fails (`getToken` rejects with `no token`). */
  | { type: 'rejectTokens' }
  | { type: 'timer'; name: TimerName };

export type Status = 'disconnected' | 'connecting' | 'authenticating' | 'connected' | 'reconnecting';
type Reason =
  'idle' | 'userDisconnect' | 'authFailed' | 'gaveUp' | 'sessionComplete' | 'terminalClose' | 'linkLost';
type Close = { code: number; reason: string };

/** One WebSocket the client opened, as the oracle expects it to look. */
export interface OracleSocket {
  url: string;
  frames: Record<string, unknown>[];
  closedWith: Close | undefined;
  readyState: 0 | 1 | 2 | 3;
  /** The adapter of this socket is running (false once its link ended, or if it crashed). */
  listening: boolean;
  /** Closed by either side: nothing it says counts any more. */
  finished: boolean;
  awaitingProofOfLife: boolean;
  /** Session frames held while the end of a replay is unknown. */
  held: GatewayFrame[] | undefined;
  /** Number of the current token request; a token for an older one is never written. */
  authRequest: number;
}

/** What a user can read from the client between steps. */
export interface OracleSnapshot {
  status: Status;
  disconnectReason: Reason | undefined;
  attempt: number;
  retryDelayMs: number;
  queuedCommands: number;
  unconfirmedCommands: number;
  capabilities: readonly string[];
  lastClose: Close | undefined;
  authFailure: string | undefined;
  lastEventId: string;
  duplicateFrames: number;
  malformedFrames: number;
  sessionStatus: string | undefined;
}

/** Codes after which the client never retries (docs/protocol.md, "Close codes"). */
const TERMINAL_CODES = new Set([1002, 1003, 1008, 1009, 4001, 4003, 4400]);
const isTerminalCode = (code: number) => TERMINAL_CODES.has(code) || (code >= 4500 && code <= 4999);
const TERMINAL_STATUSES = new Set(['completed', 'error', 'interrupted']);
const URL = 'wss://gateway.test/ws?chatKey=chat';
/** What the model's broken WebSocket and environment throw. */
export const BROKEN_SOCKET = 'addEventListener is broken';
export const BROKEN_ENVIRONMENT = 'the window refuses listeners';

export class ConnectionOracle {
  readonly sockets: OracleSocket[] = [];
  readonly told: Told[] = [];
  tokenRequests = 0;
  /** The receipt of the last command issued. */
  receipt: { command: number; status: string; reason?: string } | undefined;

  #status: Status = 'disconnected';
  #reason: Reason = 'idle';
  #toldStatus: Status = 'disconnected';
  #attempt = 0;
  #retryDelayMs = 0;
  #commands = 0;
  #outbox: OracleCommand[] = [];
  #inFlight: Array<OracleCommand & { confirmedAtAck: number }> = [];
  #heartbeatsSent = 0;
  #heartbeatsAcked = 0;
  #capabilities: readonly string[] = [];
  #replay: 'resuming' | 'ordering' | 'live' = 'live';
  #heartbeat: 'idle' | 'awaitingAck' = 'idle';
  #lastClose: Close | undefined;
  #authFailure: string | undefined;
  #live: OracleSocket | undefined;
  #pendingTokens: Array<{ socket: OracleSocket; request: number }> = [];
  #environmentWorks: boolean;
  #breakNextSocket = false;
  // The duplicate filter: every id delivered so far, and whether a replay may overlap them now.
  readonly #delivered = new Set<string>();
  #replayMayOverlap = false;
  #lastEventId = '';
  #duplicates = 0;
  #malformed = 0;
  // Re-authentications of the current link since its replay last completed.
  #reauths = 0;
  // Malformed frames in the current window (0: no window open).
  #garbage = 0;
  // Ids of the session frames of the replay asked for last, duplicates included (undefined once it is over).
  #replayLog: string[] | undefined;
  #sessionStatus: string | undefined;
  // Timers by name, with the step that armed them.
  readonly #timers = new Map<TimerName, { ms: number; armedAt: number }>();
  #step = 0;

  constructor(
    readonly config: OracleConfig,
    options: { brokenEnvironment?: boolean } = {},
  ) {
    // An environment that throws fails while the client is constructed, before anyone can listen:
    // nothing is told, and the browser's online/visible events are not watched.
    this.#environmentWorks = !options.brokenEnvironment;
  }

  /** Starts the next step: timers armed from now on count as armed by it. */
  beginStep(options: { breakNextSocket?: boolean } = {}): void {
    this.#step++;
    this.#breakNextSocket = options.breakNextSocket ?? false;
  }

  /** The pending timers: delay and whether this step armed (or re-armed) it. */
  timers(): Array<[number, boolean]> {
    return [...this.#timers.values()].map(({ ms, armedAt }) => [ms, armedAt === this.#step]);
  }

  /** Whether the client still drops ids it has delivered (from the start of a link until its replay is over). */
  replayMayOverlap(): boolean {
    return this.#live !== undefined && this.#replayMayOverlap;
  }

  snapshot(): OracleSnapshot {
    return {
      status: this.#status,
      disconnectReason: this.#status === 'disconnected' ? this.#reason : undefined,
      attempt: this.#attempt,
      retryDelayMs: this.#retryDelayMs,
      queuedCommands: this.#outbox.length,
      unconfirmedCommands: this.#inFlight.length,
      capabilities: this.#capabilities,
      lastClose: this.#lastClose,
      authFailure: this.#authFailure,
      lastEventId: this.#lastEventId,
      duplicateFrames: this.#duplicates,
      malformedFrames: this.#malformed,
      sessionStatus: this.#sessionStatus,
    };
  }

  apply(stimulus: Stimulus): void {
    this.receipt = undefined;
    const socket = this.sockets.at(-1);
    switch (stimulus.type) {
      case 'connect':
        if (this.#status !== 'disconnected') return; // one session at a time: no second socket
        this.#attempt = 0;
        this.#lastClose = undefined;
        this.#authFailure = undefined;
        return this.#openLink();
      case 'disconnect':
        if (this.#status === 'disconnected') {
          // Giving up (or a lost link without retries) still lets the user say they left.
          if (this.#reason === 'gaveUp' || this.#reason === 'linkLost') this.#reason = 'userDisconnect';
          return this.#settle();
        }
        return this.#endSession('userDisconnect', []);
      case 'reconnect':
        return this.#wake(['gaveUp', 'linkLost']);
      case 'online':
      case 'visible':
        if (this.#environmentWorks) this.#wake(['gaveUp']);
        return;
      case 'command':
        return this.#issueCommand();
      case 'closingCommand':
        if (socket !== undefined) socket.readyState = 2;
        return this.#issueCommand();
      case 'open':
        if (socket === undefined || socket.readyState !== 0) return;
        socket.readyState = 1;
        if (!this.#hears(socket) || this.#status !== 'connecting') return;
        this.#disarm('connectTimeout');
        return this.#authenticate();
      case 'serverClose':
        if (socket === undefined) return;
        socket.readyState = 3;
        if (!this.#hears(socket)) return;
        socket.finished = true;
        this.#lastClose = { code: stimulus.code, reason: stimulus.reason };
        if (isTerminalCode(stimulus.code)) {
          return this.#endSession('terminalClose', [
            describeOracleError.closedByGateway(stimulus.code, stimulus.reason),
          ]);
        }
        return this.#loseLink([]);
      case 'socketError':
        if (socket !== undefined && this.#hears(socket))
          this.#tell(describeOracleError.link(`WebSocket error: ${stimulus.message}`));
        return this.#settle();
      case 'frames':
        for (const frame of stimulus.frames) if (socket !== undefined) this.#receive(socket, frame);
        return;
      case 'malformed':
        if (socket !== undefined) this.#receiveMalformed(socket);
        return;
      case 'rejectTokens':
        return this.#settleTokens('reject');
      case 'timer':
        return this.#fire(stimulus.name);
      case 'nothing':
        return;
    }
  }

  /** The async token provider answers every pending request. */
  resolveTokens(): void {
    this.#settleTokens('resolve');
  }

  // --- links ---

  #hears(socket: OracleSocket): boolean {
    return socket.listening && !socket.finished;
  }

  #openLink(): void {
    this.#disarm('backoff');
    const socket: OracleSocket = {
      url: URL,
      frames: [],
      closedWith: undefined,
      readyState: 0,
      listening: !this.#breakNextSocket,
      finished: false,
      awaitingProofOfLife: false,
      held: undefined,
      authRequest: 0,
    };
    this.sockets.push(socket);
    this.#live = socket;
    this.#heartbeatsSent = 0;
    this.#heartbeatsAcked = 0;
    this.#capabilities = [];
    this.#reauths = 0;
    this.#replayMayOverlap = true;
    this.#status = 'connecting';
    this.#arm('connectTimeout', this.config.connectTimeoutMs);
    this.#settle();
    if (this.#breakNextSocket) {
      // The adapter crashed while it set the socket up: reported like a socket error, the link is lost.
      this.#breakNextSocket = false;
      socket.listening = false;
      this.#loseLink([describeOracleError.link(`socket failed: ${BROKEN_SOCKET}`)]);
    }
  }

  #authenticate(): void {
    this.#status = 'authenticating';
    this.#arm('authTimeout', this.config.authTimeoutMs);
    const socket = this.#live as OracleSocket;
    socket.authRequest++;
    this.tokenRequests++;
    this.#pendingTokens.push({ socket, request: socket.authRequest });
    this.#settle();
  }

  #settleTokens(outcome: 'resolve' | 'reject'): void {
    for (const { socket, request } of this.#pendingTokens.splice(0)) {
      if (socket.finished || request !== socket.authRequest) continue; // superseded or closed: never written
      if (outcome === 'resolve') this.#write(socket, { token: 'model-token', type: 'auth' });
      else if (this.#status === 'authenticating' && socket === this.#live) {
        this.#close(socket, 4000, 'Token unavailable');
        this.#loseLink([describeOracleError.link('Token provider failed: no token')]);
      }
    }
  }

  #connected(capabilities: readonly string[]): void {
    const socket = this.#live as OracleSocket;
    this.#disarm('authTimeout');
    this.#capabilities = capabilities;
    // Authenticated: a token still on its way is never written as a stray auth.
    socket.authRequest++;
    this.#replayMayOverlap = true;
    this.#replayLog = [];
    this.#write(
      socket,
      this.config.wantStatus
        ? { lastEventId: this.#lastEventId, type: 'resume', wantStatus: true }
        : { lastEventId: this.#lastEventId, type: 'resume' },
    );
    const flushed = this.#outbox.splice(0);
    const unsent = this.#writeCommands(flushed);
    this.#status = 'connected';
    this.#heartbeat = 'idle';
    this.#garbage = 0;
    this.#arm('heartbeatInterval', this.config.heartbeatIntervalMs);
    this.#arm('minUptime', this.config.minUptimeMs);
    // A gateway that orders its replay ends it with resume_complete; with any other, frames are held
    // until the ack of a heartbeat written after resume.
    this.#replay = capabilities.includes('resume_complete') ? 'resuming' : 'ordering';
    if (this.#replay === 'ordering') socket.held ??= [];
    this.#tell(['connected']);
    if (flushed.length > 0) this.#probe();
    if (this.#replay === 'ordering') this.#probe();
    this.#settle();
    this.#requeueUnsent(unsent);
  }

  /** Leaves `connected` (re-authentication or the end of the link). */
  #leaveConnected(): void {
    this.#disarm('heartbeatInterval');
    this.#disarm('heartbeatTimeout');
    this.#disarm('minUptime');
    this.#disarm('malformedWindow');
    if (this.#replay === 'live') this.#replayMayOverlap = true;
  }

  /** The link ends: its socket is closed with 1000 unless it already was, and its adapter stops. */
  #leaveLink(): void {
    if (this.#status === 'connected') this.#leaveConnected();
    this.#disarm('connectTimeout');
    this.#disarm('authTimeout');
    const socket = this.#live;
    if (socket !== undefined) {
      if (socket.listening) this.#close(socket, 1000, 'Client disconnect');
      socket.listening = false;
    }
    this.#live = undefined;
  }

  #close(socket: OracleSocket, code: number, reason: string): void {
    if (socket.finished) return;
    socket.finished = true;
    socket.closedWith = { code, reason };
    socket.readyState = 2;
  }

  /** Every way of losing a link (close, timeout, token failure, crash) decides the same way. */
  #loseLink(first: Told[]): void {
    this.#leaveLink();
    const told = [...first];
    if (this.#capabilities.includes('command_id')) {
      // A gateway that deduplicates gets unconfirmed commands again, first, with the same id.
      this.#outbox = [...this.#inFlight.map(({ n, frame }) => ({ n, frame })), ...this.#outbox];
    } else {
      told.push(...this.#inFlight.map((command) => describeOracleError.unconfirmed(command)));
    }
    this.#inFlight = [];
    if (!this.config.autoReconnect) return this.#endSession('linkLost', told);
    const limit = this.config.maxReconnectAttempts;
    if (limit !== 0 && this.#attempt >= limit) return this.#endSession('gaveUp', told);
    this.#attempt++;
    const nominal = this.config.initialReconnectDelayMs * 2 ** (this.#attempt - 1);
    this.#retryDelayMs = Math.min(nominal, this.config.maxReconnectDelayMs);
    this.#status = 'reconnecting';
    this.#arm('backoff', this.#retryDelayMs);
    for (const event of told) this.#tell(event);
    this.#tell(['reconnecting', this.#retryDelayMs, this.#attempt]);
    this.#settle();
  }

  /** The session ends: queued commands are reported dropped, then `disconnected` (and why, for gaveUp). */
  #endSession(reason: Exclude<Reason, 'idle'>, first: Told[]): void {
    if (this.#status === 'reconnecting') this.#disarm('backoff');
    else this.#leaveLink();
    this.#status = 'disconnected';
    this.#reason = reason;
    const dropped = this.#outbox;
    this.#outbox = [];
    this.#inFlight = [];
    for (const event of first) this.#tell(event);
    for (const command of dropped) this.#tell(describeOracleError.dropped(command, reason));
    this.#tell(['disconnected']);
    if (reason === 'gaveUp') this.#tell(describeOracleError.gaveUp(this.#attempt));
    this.#settle();
  }

  /** `reconnect()`, or the browser coming online / the page visible: go now. */
  #wake(after: Reason[]): void {
    if (this.#status === 'reconnecting') return this.#openLink();
    if (this.#status === 'disconnected' && after.includes(this.#reason)) {
      this.#attempt = 0;
      this.#openLink();
    }
  }

  // --- commands ---

  #issueCommand(): void {
    const command: OracleCommand = { n: ++this.#commands, frame: { type: 'interrupt' } };
    if (this.#status === 'disconnected') {
      this.receipt = { command: command.n, status: 'rejected', reason: 'notConnected' };
      return;
    }
    if (this.#status === 'connected') {
      const unsent = this.#writeCommands([command]);
      this.#probe();
      this.#settle();
      this.#requeueUnsent(unsent);
    } else if (this.#outbox.length >= this.config.maxQueuedCommands) {
      if (this.config.outboxOverflow === 'rejectNew') {
        this.receipt = { command: command.n, status: 'rejected', reason: 'outboxFull' };
        return;
      }
      const oldest = this.#outbox.shift() as OracleCommand;
      this.#outbox.push(command);
      this.#tell(describeOracleError.dropped(oldest, 'outboxFull'));
    } else this.#outbox.push(command);
    this.#settle();
    const queued = this.#outbox.some(({ n }) => n === command.n);
    this.receipt = { command: command.n, status: queued ? 'queued' : 'sent' };
  }

  /** Writes commands; each waits for the ack of a heartbeat written after it. Returns those the socket refused. */
  #writeCommands(commands: OracleCommand[]): OracleCommand[] {
    const socket = this.#live as OracleSocket;
    const withIds = this.#capabilities.includes('command_id');
    const unsent: OracleCommand[] = [];
    for (const command of commands) {
      const frame = withIds ? { ...command.frame, commandId: `#${command.n}` } : command.frame;
      if (!this.#write(socket, frame)) unsent.push(command);
      this.#inFlight.push({ ...command, confirmedAtAck: this.#heartbeatsSent + 1 });
    }
    return unsent;
  }

  /** A command the CLOSING socket could not take goes back to the outbox: commands go in issue order. */
  #requeueUnsent(unsent: OracleCommand[]): void {
    if (unsent.length === 0) return;
    const ids = new Set(unsent.map(({ n }) => n));
    this.#inFlight = this.#inFlight.filter(({ n }) => !ids.has(n));
    this.#outbox = [...unsent, ...this.#outbox].sort((a, b) => a.n - b.n);
    this.#settle();
  }

  // --- heartbeats ---

  /** A heartbeat now, so that its ack confirms what was written before it. */
  #probe(): void {
    if (this.#heartbeat === 'idle') {
      this.#disarm('heartbeatInterval');
      this.#heartbeat = 'awaitingAck';
      this.#arm('heartbeatTimeout', this.config.heartbeatTimeoutMs);
    }
    this.#sendHeartbeat();
  }

  #sendHeartbeat(): void {
    const socket = this.#live as OracleSocket;
    this.#heartbeatsSent++;
    if (this.#write(socket, { type: 'heartbeat' })) socket.awaitingProofOfLife = true;
  }

  #ack(): void {
    if (this.#heartbeatsAcked >= this.#heartbeatsSent) return this.#settle(); // an ack nobody asked for
    if (this.#status === 'authenticating') {
      this.#countAck();
      return this.#settle();
    }
    if (this.#status !== 'connected') return;
    const ofLatest = this.#heartbeatsAcked + 1 === this.#heartbeatsSent;
    const release = this.#replay === 'ordering' && ofLatest;
    this.#countAck();
    if (this.#heartbeat === 'awaitingAck') {
      this.#disarm('heartbeatTimeout');
      if (ofLatest) {
        this.#heartbeat = 'idle';
        this.#arm('heartbeatInterval', this.config.heartbeatIntervalMs);
      } else this.#arm('heartbeatTimeout', this.config.heartbeatTimeoutMs);
    }
    if (release) this.#endReplay();
    else this.#settle();
  }

  #countAck(): void {
    this.#heartbeatsAcked++;
    this.#inFlight = this.#inFlight.filter(({ confirmedAtAck }) => confirmedAtAck > this.#heartbeatsAcked);
  }

  #fire(name: TimerName): void {
    if (!this.#timers.has(name)) return;
    this.#timers.delete(name);
    const socket = this.#live;
    switch (name) {
      case 'connectTimeout':
        this.#close(socket as OracleSocket, 4000, 'Connect timeout');
        return this.#loseLink([]);
      case 'authTimeout':
        this.#close(socket as OracleSocket, 4000, 'Auth timeout');
        return this.#loseLink([]);
      case 'heartbeatTimeout':
        this.#close(socket as OracleSocket, 4000, 'Heartbeat timeout');
        return this.#loseLink([]);
      case 'heartbeatInterval':
        this.#heartbeat = 'awaitingAck';
        this.#arm('heartbeatTimeout', this.config.heartbeatTimeoutMs);
        this.#sendHeartbeat();
        return this.#settle();
      case 'minUptime':
        this.#attempt = 0; // the link stayed up: a later loss starts a fresh series
        return this.#settle();
      case 'backoff':
        return this.#openLink();
      case 'malformedWindow':
        this.#garbage = 0; // the window is over: the next malformed frame opens another
        return this.#settle();
    }
  }

  // --- frames ---

  #receive(socket: OracleSocket, frame: GatewayFrame): void {
    if (!this.#hears(socket)) return;
    if (frame.type === 'heartbeat_ack') return this.#ack();
    if (socket.awaitingProofOfLife) {
      socket.awaitingProofOfLife = false;
      if (this.#status === 'connected' && this.#heartbeat === 'awaitingAck') {
        this.#heartbeat = 'idle';
        this.#disarm('heartbeatTimeout');
        this.#arm('heartbeatInterval', this.config.heartbeatIntervalMs);
      }
      this.#settle();
    }
    if (socket.held !== undefined && (frame.id !== undefined || frame.type === 'resume_complete')) {
      socket.held.push(frame);
      // resume_complete marks the end of the replay a gateway that orders nothing sends anyway.
      if (frame.type === 'resume_complete' && this.#status === 'connected' && this.#replay === 'ordering')
        this.#endReplay();
      return;
    }
    this.#handle(frame);
  }

  /** A malformed frame: proof of life, reported, and counted against the link's limit once authenticated. */
  #receiveMalformed(socket: OracleSocket): void {
    if (!this.#hears(socket)) return;
    if (socket.awaitingProofOfLife) {
      socket.awaitingProofOfLife = false;
      if (this.#status === 'connected' && this.#heartbeat === 'awaitingAck') {
        this.#heartbeat = 'idle';
        this.#disarm('heartbeatTimeout');
        this.#arm('heartbeatInterval', this.config.heartbeatIntervalMs);
      }
      this.#settle();
    }
    this.#malformed++;
    this.#tell([
      'error',
      { name: 'FrameError', kind: 'notJson', message: 'Frame is not valid JSON', details: undefined },
    ]);
    if (this.#status !== 'connected') return;
    this.#garbage++;
    if (this.#garbage > this.config.maxMalformedFramesPerSecond) {
      this.#close(socket, 4000, 'Too many malformed frames');
      return this.#loseLink([]);
    }
    if (this.#garbage === 1) this.#arm('malformedWindow', MALFORMED_WINDOW_MS);
    this.#settle();
  }

  #handle(frame: GatewayFrame): void {
    switch (frame.type) {
      case 'agent_event':
        if (this.#accept(frame.id as string)) this.#tell(['agent_event', frame.id]);
        return;
      case 'session_complete':
        if (!this.#accept(frame.id as string) || this.#live === undefined) return;
        return this.#endSession('sessionComplete', [['session_complete', frame]]);
      case 'auth_success':
        if (this.#status === 'authenticating')
          this.#connected((frame.capabilities as string[] | undefined) ?? []);
        return;
      case 'auth_failed':
        if (this.#status !== 'authenticating') return;
        this.#authFailure = frame.reason as string;
        return this.#endSession('authFailed', [['auth_failed', frame.reason]]);
      case 'auth_expired':
        if (this.#status !== 'connected') return;
        if (this.#reauths >= this.config.maxReauthsPerLink) {
          // A gateway that keeps answering with auth_expired must not make the client spin.
          this.#close(this.#live as OracleSocket, 4000, 'Too many re-authentications');
          return this.#loseLink([]);
        }
        this.#reauths++;
        this.#leaveConnected();
        return this.#authenticate();
      case 'resume_complete':
        return this.#resumeComplete(frame);
    }
  }

  #resumeComplete(frame: GatewayFrame): void {
    if (this.#status !== 'connected' || this.#replay === 'ordering') return;
    const status = frame.status as string;
    const told = [...this.#resumed(status)];
    if (frame.recovered === false) {
      // The frames of the replay this resume_complete ends; none when the replay was already over.
      const replayed = this.#replay === 'resuming' ? this.#replayLog : undefined;
      told.push(['history_lost', replayed === undefined ? undefined : [...replayed], status]);
      told.push(describeOracleError.historyLost(status));
    }
    if (TERMINAL_STATUSES.has(status)) {
      // Told with the original's payload type: complete after the last event delivered.
      const end = { type: 'session_complete', id: this.#lastEventId };
      return this.#endSession('sessionComplete', [...told, ['session_complete', end]]);
    }
    if (this.#replay === 'resuming') this.#goLive();
    for (const event of told) this.#tell(event);
    this.#settle();
  }

  /** The replay is over: ids are no longer looked up, and re-authenticating starts a new count. */
  #goLive(): void {
    this.#replay = 'live';
    this.#replayMayOverlap = false;
    this.#replayLog = undefined;
    this.#reauths = 0;
  }

  /** `resume_complete` tells the session's status when it says something new. */
  #resumed(status: string): Told[] {
    if (status === this.#sessionStatus) return [];
    this.#sessionStatus = status;
    return [['session_status', status]];
  }

  /** The replay is over: held frames are delivered once each, at the last place they came. */
  #endReplay(): void {
    const socket = this.#live as OracleSocket;
    this.#replay = 'live';
    this.#reauths = 0;
    const held = socket.held ?? [];
    socket.held = undefined;
    const lastPlace = new Map(held.map((frame, place) => [frame.id, place]));
    const later: GatewayFrame[] = [];
    held.forEach((frame, place) => {
      if (frame.id !== undefined && lastPlace.get(frame.id) !== place) this.#duplicates++;
      else if (frame.type === 'agent_event') this.#handle(frame);
      else if (frame.type === 'resume_complete' || this.#accept(frame.id as string)) later.push(frame);
    });
    this.#replayMayOverlap = false;
    this.#replayLog = undefined;
    this.#settle();
    for (const frame of later) {
      if (frame.type === 'resume_complete') this.#resumeComplete(frame);
      else if (this.#live !== undefined) this.#endSession('sessionComplete', [['session_complete', frame]]);
    }
  }

  /** The duplicate filter: a new id is delivered; while a replay may overlap, a known one is dropped. */
  #accept(id: string): boolean {
    this.#replayLog?.push(id);
    if (this.#replayMayOverlap && this.#delivered.has(id)) {
      this.#duplicates++;
      return false;
    }
    this.#delivered.add(id);
    this.#lastEventId = id;
    return true;
  }

  #write(socket: OracleSocket, frame: Record<string, unknown>): boolean {
    if (socket.finished || socket.readyState !== 1) return false;
    socket.frames.push(frame);
    return true;
  }

  // --- what is told ---

  /** Each change of the connection status is told once, before the events that come with it. */
  #settle(): void {
    if (this.#status === this.#toldStatus) return;
    this.#toldStatus = this.#status;
    this.told.push(['status_changed', this.#status]);
  }

  #tell(event: Told): void {
    this.#settle();
    this.told.push(event);
  }

  #arm(name: TimerName, ms: number): void {
    this.#timers.set(name, { ms, armedAt: this.#step });
  }

  #disarm(name: TimerName): void {
    this.#timers.delete(name);
  }
}
