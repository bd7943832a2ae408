/**
 * The connection contract (docs/connection-machine.md, docs/protocol.md, docs/lobehub.md) written a
 * second time, as a plain reducer over what a user, a gateway and the clock do — deliberately not the
 * machine: nothing here comes from `machines/` or `src/`. It says, for every stimulus, what a user of
 * the client must observe: the frames written on each socket (contents), the close code and reason,
 * the events told with their payloads, the timers armed and their delays, the attempt count and the
 * command receipts.
 *
 * It keeps the socket adapter's documented rules too: a closed socket is ignored; after a heartbeat
 * the first frame of any kind is proof of life; a CLOSING socket takes no writes; every id is
 * delivered once. To a gateway that announced nothing, the first link writes no `resume` and holds
 * nothing; a later link (or one with a cursor) holds frames after `auth_success` until the ack of
 * the heartbeat written after `resume` (or a `resume_complete`), then delivers them once each, at
 * their last place; the hold ends the link past `replayTimeoutMs` or `maxHeldFrames`, unless a
 * `session_complete` is held: then the close (or the timeout) delivers what is held.
 *
 * LobeHub's dialect: `/ws?operationId=`, `resume` on every link, numeric ids in sequence (an early
 * one waits for the replay's end, in id order), `resumeOnConnect` holds everything on a first link
 * (released at `resume_complete`, after `resumeQuietMs` of quiet, at the operation's end, past the
 * limits or the timeout), heartbeats counted as missed, attempts reset when a socket opens, the
 * operation's own end ends the session, a member's end opens an echo window and explains a terminal
 * resume status, `auth_expired` only told.
 *
 * And the limits: a link re-authenticates (`auth_expired`) at most `maxReauthsPerLink` times before
 * its replay completes; an authenticated link may send `maxMalformedFramesPerSecond` malformed frames
 * within the one-second window its first one opens; a `resume_complete` with `recovered: false` (or
 * `gap: true`) tells `history_lost` and an error of kind `historyLost`.
 */
import { describeOracleError, type OracleCommand, type Told } from './oracleTold.js';

export type { Told } from './oracleTold.js';

/** The options the contract depends on (the model runs with `reconnectJitter: 0`). */
export interface OracleConfig {
  dialect: 'original' | 'lobehub';
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
  replayTimeoutMs: number;
  maxHeldFrames: number;
  backoffReset: 'uptime' | 'open';
  reauthOnExpiry: boolean;
  maxMissedHeartbeats: number;
  resumeOnConnect: boolean;
  resumeQuietMs: number;
  memberEchoWindowMs: number;
}

export type TimerName =
  | 'connectTimeout'
  | 'authTimeout'
  | 'heartbeatInterval'
  | 'heartbeatTimeout'
  | 'minUptime'
  | 'backoff'
  | 'malformedWindow'
  | 'replayTimeout'
  | 'resumeQuiet'
  | 'memberEchoWindow';

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
  /** The gateway answers the upgrade with this HTTP status (what Node's `ws` reports as an error). */
  | { type: 'refused'; status: number }
  | { type: 'frames'; frames: GatewayFrame[] }
  /** A frame that is not JSON. */
  | { type: 'malformed'; text: string }
  /** Every pending token request fails (`getToken` rejects with `no token`). */
  | { type: 'rejectTokens' }
  | { type: 'timer'; name: TimerName };

export type Status = 'disconnected' | 'connecting' | 'authenticating' | 'connected' | 'reconnecting';
type Reason =
  | 'idle'
  | 'userDisconnect'
  | 'authFailed'
  | 'gaveUp'
  | 'sessionComplete'
  | 'terminalClose'
  | 'refused'
  | 'linkLost';
type Close = { code: number; reason: string };
/** What a link does with frames until its replay ends. */
type Replay = 'resuming' | 'ordering' | 'sessionEnding' | 'sequencing' | 'buffering' | 'live';
/** What a link's gate does with a session frame. */
type GateMode = 'passing' | 'holding' | 'sequencing' | 'buffering';

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
  gate: GateMode;
  /** Session frames held while the end of a replay is unknown (in id order while sequencing). */
  held: GatewayFrame[];
  heldBytes: number;
  overflowTold: boolean;
  /** LobeHub: a member's end was the last end this socket delivered. */
  memberEndedLast: boolean;
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
/** The session key every path follows. */
export const SESSION_KEY = 'chat';
/** What the model's broken WebSocket and environment throw. */
export const BROKEN_SOCKET = 'addEventListener is broken';
export const BROKEN_ENVIRONMENT = 'the window refuses listeners';

/** A LobeHub id's number, or undefined for an id that is not a plain decimal integer. */
const sequenceOf = (id: string): number | undefined =>
  /^(0|[1-9]\d{0,14})$/.test(id) ? Number(id) : undefined;

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
  #replay: Replay = 'live';
  #heartbeat: 'idle' | 'awaitingAck' | 'counting' = 'idle';
  // Attempts start over once frames have flowed (the replay over, or ordered) for `minUptimeMs`.
  #uptime: 'waiting' | 'unproven' | 'proven' = 'waiting';
  #missed = 0;
  #lastClose: Close | undefined;
  #authFailure: string | undefined;
  #live: OracleSocket | undefined;
  #pendingTokens: Array<{ socket: OracleSocket; request: number }> = [];
  #environmentWorks: boolean;
  #breakNextSocket = false;
  // The duplicate filter: every id delivered so far (LobeHub's numeric ones: the highest).
  readonly #delivered = new Set<string>();
  #highest: number | undefined;
  // Whether the driver's next agent event repeats the previous one (a replay may overlap them).
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
  // LobeHub: the status a member's end left, seen since this link authenticated; the echo window.
  #memberEndStatus: string | undefined;
  #echoWindow = false;
  // Sockets opened in the conversation (the model follows one chatKey: it never starts over).
  #links = 0;
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

  get #lobehub(): boolean {
    return this.config.dialect === 'lobehub';
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

  /** Whether a replay may overlap what was delivered now (the driver then repeats an event). */
  replayMayOverlap(): boolean {
    return this.#live !== undefined && this.#replayMayOverlap;
  }

  /** Where the link's replay stands. */
  replayState(): Replay | undefined {
    return this.#status === 'connected' ? this.#replay : undefined;
  }

  /** The last event delivered (the driver picks ids after it). */
  lastEventId(): string {
    return this.#lastEventId;
  }

  /** LobeHub: the sequence number the next new event must have; undefined when ids cannot be sequenced. */
  nextSequence(): number | undefined {
    if (this.#highest !== undefined) return this.#highest + 1;
    return this.#lastEventId === '' ? 1 : undefined;
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
        return this.#reconnectNow();
      case 'online':
      case 'visible':
        if (!this.#environmentWorks) return;
        if (this.#status === 'reconnecting') return this.#openLink();
        if (this.#status === 'disconnected' && this.#reason === 'gaveUp') {
          this.#attempt = 0;
          this.#openLink();
        }
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
        // LobeHub's clients start the backoff over as soon as a socket opens.
        if (this.config.backoffReset === 'open') this.#attempt = 0;
        return this.#authenticate();
      case 'serverClose':
        return this.#serverClose(socket, stimulus);
      case 'socketError':
        if (socket !== undefined && this.#hears(socket))
          this.#tell(describeOracleError.link(`WebSocket error: ${stimulus.message}`));
        return this.#settle();
      case 'refused': {
        // Only a handshake can be refused: after it, the adapter has nothing of the kind to say.
        if (socket === undefined || !this.#hears(socket) || this.#status !== 'connecting')
          return this.#settle();
        const message = `The gateway at ${socket.url} refused the WebSocket upgrade (HTTP ${stimulus.status})`;
        // A wrong URL or wrong credentials end the session; another status is a link error (its close follows).
        if ([400, 401, 403, 404, 410].includes(stimulus.status))
          return this.#endSession('refused', [describeOracleError.refused(message, stimulus.status)]);
        this.#tell(describeOracleError.link(message));
        return this.#settle();
      }
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
    const parameter = this.#lobehub ? 'operationId' : 'chatKey';
    const socket: OracleSocket = {
      url: `wss://gateway.test/ws?${parameter}=${SESSION_KEY}`,
      frames: [],
      closedWith: undefined,
      readyState: 0,
      listening: !this.#breakNextSocket,
      finished: false,
      awaitingProofOfLife: false,
      gate: 'passing',
      held: [],
      heldBytes: 0,
      overflowTold: false,
      memberEndedLast: false,
      authRequest: 0,
    };
    this.sockets.push(socket);
    this.#links++;
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
    const cursor = this.#lastEventId !== '';
    // Events may have streamed to an earlier socket that died before delivering any, or past this one
    // while it re-authenticated.
    const mayHaveMissed = cursor || this.#links > 1 || this.#reauths > 0;
    this.#memberEndStatus = undefined;
    this.#missed = 0;
    this.#status = 'connected';
    this.#garbage = 0;
    this.#echoWindow = false;
    this.#heartbeat = this.#lobehub ? 'counting' : 'idle';
    this.#arm('heartbeatInterval', this.config.heartbeatIntervalMs);
    this.#uptime = 'waiting';
    this.#tell(['connected']);
    // How the replay is asked for and how its end is known depend on the gateway.
    let replay: Replay;
    if (capabilities.includes('resume_complete')) replay = 'resuming';
    else if (this.#lobehub) replay = this.config.resumeOnConnect && !cursor ? 'buffering' : 'sequencing';
    else replay = mayHaveMissed ? 'ordering' : 'live';
    // The original gateway, a first link: no resume, exactly as its own client.
    if (replay !== 'live') this.#writeResume(socket);
    const flushed = this.#outbox.splice(0);
    const unsent = this.#writeCommands(flushed);
    if (flushed.length > 0 && capabilities.includes('command_id')) this.#probe();
    this.#replay = replay;
    if (replay === 'resuming') this.#flowing();
    if (replay === 'live') this.#goLive();
    else if (replay === 'ordering') {
      socket.gate = 'holding';
      this.#arm('replayTimeout', this.config.replayTimeoutMs);
      this.#probe();
    } else if (replay === 'sequencing') {
      socket.gate = 'sequencing';
      this.#arm('replayTimeout', this.config.replayTimeoutMs);
    } else if (replay === 'buffering') {
      socket.gate = 'buffering';
      this.#arm('replayTimeout', this.config.replayTimeoutMs);
      this.#arm('resumeQuiet', this.config.resumeQuietMs);
    }
    this.#settle();
    this.#requeueUnsent(unsent);
  }

  #writeResume(socket: OracleSocket): void {
    this.#replayLog = [];
    this.#write(
      socket,
      this.config.wantStatus
        ? { lastEventId: this.#lastEventId, type: 'resume', wantStatus: true }
        : { lastEventId: this.#lastEventId, type: 'resume' },
    );
  }

  /** Leaves `connected` (re-authentication or the end of the link). */
  #leaveConnected(): void {
    for (const timer of [
      'heartbeatInterval',
      'heartbeatTimeout',
      'minUptime',
      'malformedWindow',
      'replayTimeout',
      'resumeQuiet',
      'memberEchoWindow',
    ] as const)
      this.#disarm(timer);
    this.#echoWindow = false;
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

  #serverClose(socket: OracleSocket | undefined, close: { code: number; reason: string }): void {
    if (socket === undefined) return;
    socket.readyState = 3;
    if (!this.#hears(socket)) return;
    socket.finished = true;
    // The session ended within what is held: the close leaves the rest of it held; it is delivered.
    if (this.#status === 'connected' && this.#replay === 'sessionEnding') return this.#release(false);
    this.#lastClose = { code: close.code, reason: close.reason };
    if (isTerminalCode(close.code))
      return this.#endSession('terminalClose', [
        describeOracleError.closedByGateway(close.code, close.reason),
      ]);
    return this.#loseLink([]);
  }

  /** The unconfirmed commands of a link that ends: re-sent to a gateway that deduplicates, else reported. */
  #settleInFlight(): Told[] {
    const told: Told[] = [];
    if (this.#capabilities.includes('command_id')) {
      // A gateway that deduplicates gets unconfirmed commands again, first, with the same id.
      this.#outbox = [...this.#inFlight.map(({ n, frame }) => ({ n, frame })), ...this.#outbox];
    } else {
      told.push(...this.#inFlight.map((command) => describeOracleError.unconfirmed(command)));
    }
    this.#inFlight = [];
    return told;
  }

  /** Every way of losing a link (close, timeout, token failure, crash) decides the same way. */
  #loseLink(first: Told[]): void {
    this.#leaveLink();
    const told = [...first, ...this.#settleInFlight()];
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

  /** `reconnect()`: a waiting reconnect goes now, a live link is dialled again, a fresh attempt series. */
  #reconnectNow(): void {
    if (this.#status === 'reconnecting') {
      this.#attempt = 0;
      return this.#openLink();
    }
    if (this.#status === 'disconnected') {
      if (this.#reason !== 'gaveUp' && this.#reason !== 'linkLost') return;
      this.#attempt = 0;
      return this.#openLink();
    }
    this.#leaveLink();
    const told = this.#settleInFlight();
    this.#attempt = 0;
    this.#openLink();
    for (const event of told) this.#tell(event);
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
      if (this.#capabilities.includes('command_id')) this.#probe();
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

  /** A heartbeat now, so that its ack confirms what was written before it (the original's heartbeats only). */
  #probe(): void {
    if (this.#heartbeat === 'counting') return;
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
    if (this.#heartbeatsAcked >= this.#heartbeatsSent) {
      // An ack nobody asked for confirms nothing; LobeHub's client still forgives its misses.
      if (this.#status === 'connected' && this.#heartbeat === 'counting') this.#missed = 0;
      return this.#settle();
    }
    if (this.#status === 'authenticating') {
      this.#countAck();
      return this.#settle();
    }
    if (this.#status !== 'connected') return;
    const ofLatest = this.#heartbeatsAcked + 1 === this.#heartbeatsSent;
    const release = (this.#replay === 'ordering' || this.#replay === 'sessionEnding') && ofLatest;
    this.#countAck();
    if (this.#heartbeat === 'counting') this.#missed = 0;
    else if (this.#heartbeat === 'awaitingAck') {
      this.#disarm('heartbeatTimeout');
      if (ofLatest) {
        this.#heartbeat = 'idle';
        this.#arm('heartbeatInterval', this.config.heartbeatIntervalMs);
      } else this.#arm('heartbeatTimeout', this.config.heartbeatTimeoutMs);
    }
    if (release) this.#release(true);
    else this.#settle();
  }

  #countAck(): void {
    this.#heartbeatsAcked++;
    this.#inFlight = this.#inFlight.filter(({ confirmedAtAck }) => confirmedAtAck > this.#heartbeatsAcked);
  }

  #fire(name: TimerName): void {
    if (!this.#timers.has(name)) return;
    this.#timers.delete(name);
    const socket = this.#live as OracleSocket;
    switch (name) {
      case 'connectTimeout':
        this.#close(socket, 4000, 'Connect timeout');
        return this.#loseLink([]);
      case 'authTimeout':
        this.#close(socket, 4000, 'Auth timeout');
        return this.#loseLink([]);
      case 'heartbeatTimeout':
        this.#close(socket, 4000, 'Heartbeat timeout');
        return this.#loseLink([]);
      case 'heartbeatInterval':
        if (this.#heartbeat === 'counting') {
          // LobeHub: more than `maxMissedHeartbeats` unanswered in a row and the link is dead.
          if (this.#missed + 1 > this.config.maxMissedHeartbeats) {
            this.#close(socket, 4000, 'Heartbeat timeout');
            return this.#loseLink([]);
          }
          this.#missed++;
          this.#sendHeartbeat();
          this.#arm('heartbeatInterval', this.config.heartbeatIntervalMs);
          return this.#settle();
        }
        this.#heartbeat = 'awaitingAck';
        this.#arm('heartbeatTimeout', this.config.heartbeatTimeoutMs);
        this.#sendHeartbeat();
        return this.#settle();
      case 'minUptime':
        this.#uptime = 'proven';
        this.#attempt = 0; // the link stayed up: a later loss starts a fresh series
        return this.#settle();
      case 'backoff':
        return this.#openLink();
      case 'malformedWindow':
        this.#garbage = 0; // the window is over: the next malformed frame opens another
        return this.#settle();
      case 'replayTimeout':
        if (this.#replay === 'ordering') {
          this.#close(socket, 4000, 'Replay did not end in time');
          return this.#loseLink([]);
        }
        return this.#release(true);
      case 'resumeQuiet':
        return this.#release(true);
      case 'memberEchoWindow':
        this.#echoWindow = false;
        return this.#settle();
    }
  }

  #isHolding(): boolean {
    return ['ordering', 'sessionEnding', 'sequencing', 'buffering'].includes(this.#replay);
  }

  // --- frames ---

  #receive(socket: OracleSocket, frame: GatewayFrame): void {
    if (!this.#hears(socket)) return;
    if (frame.type === 'heartbeat_ack') return this.#ack();
    this.#proveLife(socket);
    switch (frame.type) {
      case 'auth_success':
        if (this.#status === 'authenticating')
          this.#connected((frame.capabilities as string[] | undefined) ?? []);
        return;
      case 'auth_failed':
        if (this.#status !== 'authenticating') return;
        this.#authFailure = frame.reason as string;
        return this.#endSession('authFailed', [['auth_failed', frame.reason]]);
      case 'auth_expired':
        return this.#authExpired();
      default: {
        // The machine reacts to what the gate reports once the gate is done with the frame.
        const reactions: Array<() => void> = [];
        this.#offer(socket, frame, reactions);
        for (const react of reactions) react();
      }
    }
  }

  #proveLife(socket: OracleSocket): void {
    if (!socket.awaitingProofOfLife) return;
    socket.awaitingProofOfLife = false;
    if (this.#status === 'connected' && this.#heartbeat === 'awaitingAck') {
      this.#heartbeat = 'idle';
      this.#disarm('heartbeatTimeout');
      this.#arm('heartbeatInterval', this.config.heartbeatIntervalMs);
    }
    this.#settle();
  }

  /** A malformed frame: proof of life, reported, and counted against the link's limit once authenticated. */
  #receiveMalformed(socket: OracleSocket): void {
    if (!this.#hears(socket)) return;
    this.#proveLife(socket);
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

  #authExpired(): void {
    if (this.#status !== 'connected') return;
    if (!this.config.reauthOnExpiry) return this.#tell(['auth_expired']);
    if (this.#reauths >= this.config.maxReauthsPerLink) {
      // A gateway that keeps answering with auth_expired must not make the client spin.
      this.#close(this.#live as OracleSocket, 4000, 'Too many re-authentications');
      return this.#loseLink([]);
    }
    this.#reauths++;
    this.#leaveConnected();
    this.#authenticate();
  }

  // --- the gate: every session frame of a link goes through it ---

  #offer(socket: OracleSocket, frame: GatewayFrame, reactions: Array<() => void>): void {
    switch (socket.gate) {
      case 'passing':
        return this.#pass(frame, reactions);
      case 'holding':
        this.#hold(socket, frame, reactions);
        if (frame.type === 'resume_complete') reactions.push(() => this.#replayEnded());
        else if (frame.type === 'session_complete') reactions.push(() => this.#sessionEndHeld());
        return;
      case 'buffering': {
        this.#hold(socket, frame, reactions);
        if (frame.type === 'resume_complete') return void reactions.push(() => this.#replayEnded());
        const ends =
          frame.type === 'session_complete' || (frame.type === 'agent_event' && this.#isOwnEnd(frame));
        reactions.push(() => (ends ? this.#sessionEndHeld() : this.#frameHeld()));
        return;
      }
      case 'sequencing': {
        if (frame.type === 'resume_complete') {
          this.#hold(socket, frame, reactions);
          return void reactions.push(() => this.#replayEnded());
        }
        const sequence = frame.id === undefined ? undefined : sequenceOf(frame.id);
        const next = this.nextSequence();
        if (sequence === undefined || next === undefined || sequence <= next) {
          this.#pass(frame, reactions);
          return this.#passWaiting(socket, reactions);
        }
        // Early: it waits, in id order, for what comes before it.
        const at = socket.held.findIndex(
          (held) => held.type === 'resume_complete' || (sequenceOf(held.id ?? '') ?? 0) > sequence,
        );
        socket.held.splice(at === -1 ? socket.held.length : at, 0, frame);
        this.#checkLimits(socket, reactions);
        return;
      }
    }
  }

  #hold(socket: OracleSocket, frame: GatewayFrame, reactions: Array<() => void>): void {
    socket.held.push(frame);
    this.#checkLimits(socket, reactions);
  }

  #checkLimits(socket: OracleSocket, reactions: Array<() => void>): void {
    if (socket.overflowTold || socket.held.length <= this.config.maxHeldFrames) return;
    socket.overflowTold = true;
    reactions.push(() => this.#overflow());
  }

  #passWaiting(socket: OracleSocket, reactions: Array<() => void>): void {
    for (;;) {
      const first = socket.held[0];
      if (first === undefined || first.type === 'resume_complete') return;
      const next = this.nextSequence();
      if (next === undefined || (sequenceOf(first.id ?? '') ?? 0) > next) return;
      socket.held.shift();
      this.#pass(first, reactions);
    }
  }

  /** Delivers a frame unless its id was delivered; what it means for the machine goes to `reactions`. */
  #pass(frame: GatewayFrame, reactions: Array<() => void>): void {
    if (frame.type === 'resume_complete') return void reactions.push(() => this.#resumeComplete(frame));
    if (!this.#accept(frame.id)) return;
    if (frame.type === 'session_complete') return void reactions.push(() => this.#sessionComplete(frame));
    if (frame.type !== 'agent_event') return;
    this.#tell(['agent_event', frame.id]);
    if (!this.#lobehub) return;
    const socket = this.#live as OracleSocket;
    const event = frame.event as { type?: string; operationId?: string; data?: { reason?: string } };
    const own = event.operationId === undefined || event.operationId === SESSION_KEY;
    if (event.type === 'agent_runtime_end' || event.type === 'error') {
      if (own) return void reactions.push(() => this.#operationEnded());
      if (event.type !== 'agent_runtime_end') return;
      socket.memberEndedLast = true;
      const reason = event.data?.reason;
      const status = reason === 'error' ? 'error' : reason === 'interrupted' ? 'interrupted' : 'completed';
      return void reactions.push(() => this.#memberEnded(status));
    }
    if (own && socket.memberEndedLast) {
      socket.memberEndedLast = false;
      reactions.push(() => this.#operationActive());
    }
  }

  #isOwnEnd(frame: GatewayFrame): boolean {
    const event = frame.event as { type?: string; operationId?: string };
    return (
      (event.type === 'agent_runtime_end' || event.type === 'error') &&
      (event.operationId === undefined || event.operationId === SESSION_KEY)
    );
  }

  /**
   * The replay is over: what was held is delivered (the original's at each id's last place; LobeHub's
   * in id order, `resume_complete` last), and frames pass. `goLive`: the machine goes live at once
   * (every way but a close while the session's end is held).
   */
  #release(goLive: boolean): void {
    const socket = this.#live as OracleSocket;
    const held = socket.held;
    const mode = socket.gate;
    socket.held = [];
    socket.gate = 'passing';
    socket.overflowTold = false;
    if (goLive) this.#goLive();
    const reactions: Array<() => void> = [];
    if (mode === 'holding') {
      const lastPlace = new Map(held.map((frame, place) => [frame.id, place]));
      held.forEach((frame, place) => {
        if (frame.id !== undefined && lastPlace.get(frame.id) !== place) this.#duplicates++;
        else this.#pass(frame, reactions);
      });
    } else {
      const ordered = [
        ...held
          .filter((frame) => frame.type !== 'resume_complete')
          .map((frame, place) => ({ frame, place, sequence: sequenceOf(frame.id ?? '') ?? 0 }))
          .sort((a, b) => a.sequence - b.sequence || a.place - b.place)
          .map(({ frame }) => frame),
        ...held.filter((frame) => frame.type === 'resume_complete'),
      ];
      for (const frame of ordered) this.#pass(frame, reactions);
    }
    this.#settle();
    for (const react of reactions) react();
  }

  /** The frames' id filter: LobeHub's numeric ids by number, every other id by equality. */
  #accept(id: string | undefined): boolean {
    this.#replayLog?.push(id as string);
    if (id === undefined) return true;
    const sequence = this.#lobehub ? sequenceOf(id) : undefined;
    const delivered =
      sequence !== undefined && this.#highest !== undefined
        ? sequence <= this.#highest
        : this.#delivered.has(id);
    if (delivered) {
      this.#duplicates++;
      return false;
    }
    if (sequence !== undefined) this.#highest = sequence;
    else this.#delivered.add(id);
    this.#lastEventId = id;
    return true;
  }

  // --- what the machine does with what the gate reports ---

  /** A link exists (connecting, authenticating or connected): the session's end is heard in all three. */
  #isLinked(): boolean {
    return this.#live !== undefined;
  }

  #replayEnded(): void {
    if (this.#status !== 'connected' || !this.#isHolding()) return;
    this.#release(true);
  }

  #overflow(): void {
    if (this.#status !== 'connected' || !this.#isHolding()) return;
    if (this.#replay === 'ordering') {
      this.#close(this.#live as OracleSocket, 4000, 'Replay too large to hold');
      return this.#loseLink([]);
    }
    this.#release(true);
  }

  #sessionEndHeld(): void {
    if (this.#status !== 'connected') return;
    if (this.#replay === 'ordering') {
      this.#replay = 'sessionEnding';
      this.#arm('replayTimeout', this.config.replayTimeoutMs);
      return this.#settle();
    }
    // LobeHub's buffering: the operation's end is delivered at once, with everything before it.
    if (this.#replay === 'buffering') this.#release(true);
  }

  #frameHeld(): void {
    if (this.#status !== 'connected' || this.#replay !== 'buffering') return;
    this.#arm('resumeQuiet', this.config.resumeQuietMs);
    this.#settle();
  }

  #sessionComplete(frame: GatewayFrame): void {
    if (!this.#isLinked()) return;
    // LobeHub: a gateway that ends a session on any end answers a member's with one: its echo.
    if (this.#status === 'connected' && this.#echoWindow) return this.#settle();
    this.#endSession('sessionComplete', [['session_complete', frame]]);
  }

  #operationEnded(): void {
    if (!this.#isLinked()) return;
    const end = { type: 'session_complete', id: this.#lastEventId };
    this.#endSession('sessionComplete', [['session_complete', end]]);
  }

  #memberEnded(status: string): void {
    if (this.#status !== 'connected') return;
    this.#memberEndStatus = status;
    this.#echoWindow = true;
    this.#arm('memberEchoWindow', this.config.memberEchoWindowMs);
    this.#settle();
  }

  #operationActive(): void {
    if (this.#status !== 'connected' || !this.#echoWindow) return;
    this.#echoWindow = false;
    this.#disarm('memberEchoWindow');
    this.#settle();
  }

  #resumeComplete(frame: GatewayFrame): void {
    if (this.#status !== 'connected' || (this.#replay !== 'resuming' && this.#replay !== 'live')) return;
    const status = frame.status as string;
    // LobeHub: a terminal status a member's end (seen since this link authenticated) explains is the member's.
    if (
      this.#replay === 'live' &&
      frame.gap !== true &&
      this.#memberEndStatus !== undefined &&
      this.#memberEndStatus === status
    )
      return this.#settle();
    const told = [...this.#resumed(status)];
    if (frame.recovered === false || frame.gap === true) {
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

  /** Frames are delivered as they come: the link starts proving itself (once per `connected`). */
  #flowing(): void {
    if (this.#uptime !== 'waiting') return;
    this.#uptime = 'unproven';
    this.#arm('minUptime', this.config.minUptimeMs);
  }

  /** The replay is over: re-authenticating starts a new count, and its frames are no longer kept. */
  #goLive(): void {
    this.#flowing();
    this.#replay = 'live';
    this.#replayMayOverlap = false;
    this.#replayLog = undefined;
    this.#reauths = 0;
    this.#disarm('replayTimeout');
    this.#disarm('resumeQuiet');
  }

  /** `resume_complete` tells the session's status when it says something new. */
  #resumed(status: string): Told[] {
    if (status === this.#sessionStatus) return [];
    this.#sessionStatus = status;
    return [['session_status', status]];
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
