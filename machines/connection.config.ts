/** What to do with a new command when the outbox is full. */
export type OutboxOverflow = 'rejectNew' | 'dropOldest';

/** Which rules a gateway plays by: the original protocol (and its announced extensions), or LobeHub's v1. */
export type WireDialect = 'original' | 'lobehub';

/** When the attempt count and the backoff start over: once a link has stayed up `minUptimeMs`, or as soon as a socket opens (LobeHub's clients). */
export type BackoffReset = 'uptime' | 'open';

/** The numbers and switches the connection machine decides with (all the facade's timing options). */
export interface ConnectionConfig {
  /** The gateway's rules (docs/protocol.md "What the client does with each gateway"). Default `'original'`. */
  dialect: WireDialect;
  /** Reconnect after an unexpected close. Default `true`. */
  autoReconnect: boolean;
  /** Reconnect attempts in one series before giving up; `0` = unlimited. Default `10`. */
  maxReconnectAttempts: number;
  /** First backoff delay; doubles each attempt. Default 1 000 ms. */
  initialReconnectDelayMs: number;
  /** Backoff cap. Default 30 000 ms. */
  maxReconnectDelayMs: number;
  /** Fraction by which jitter may shorten a backoff delay, in [0, 1]: 10 000 clients dropped at once come back spread over half the delay. Default `0.5`. */
  reconnectJitter: number;
  /** Heartbeat period while authenticated. Default 30 000 ms. */
  heartbeatIntervalMs: number;
  /** How long to wait for any frame after a heartbeat before the link is declared dead. Default 10 000 ms. */
  heartbeatTimeoutMs: number;
  /** Deadline for the socket to open. Default 10 000 ms. */
  connectTimeoutMs: number;
  /** Deadline for `auth_success` after `auth` is sent. Default 10 000 ms. */
  authTimeoutMs: number;
  /** How long an authenticated link must stay up before attempts and backoff reset. Default 5 000 ms. */
  minUptimeMs: number;
  /** Commands held while the link is down. Default `100`. */
  maxQueuedCommands: number;
  /** What a full outbox does with a new command. Default `'rejectNew'`. */
  outboxOverflow: OutboxOverflow;
  /** Ask for `resume_complete {status}` after each replay. Default `true`. */
  wantStatus: boolean;
  /** Re-authentications (`auth_expired`) in a row whose replay never completed (a spinning gateway); beyond, the link goes through backoff. Default `3`. */
  maxReauthsPerLink: number;
  /** Malformed frames a link may send within one second before it is dropped (retryable). Default `100`. */
  maxMalformedFramesPerSecond: number;
  /** How long frames may be held while a replay's end is awaited (frames do not extend it). Default 10 000 ms. */
  replayTimeoutMs: number;
  /** Frames that may be held while a replay's end is awaited. Default `10 000`. */
  maxHeldFrames: number;
  /** Text length of the frames held while a replay's end is awaited (≈ bytes). Default 8 MiB. */
  maxHeldBytes: number;
  /** When attempts and backoff start over. Default `'uptime'`. */
  backoffReset: BackoffReset;
  /** Re-authenticate on the same socket after `auth_expired` (else only tell it, as LobeHub's client). Default `true`. */
  reauthOnExpiry: boolean;
  /** LobeHub: heartbeats in a row left unacknowledged before the link is declared dead. Default `3`. */
  maxMissedHeartbeats: number;
  /** LobeHub: on a first link without a cursor, hold every frame until the replay ends (a page reload). Default `false`. */
  resumeOnConnect: boolean;
  /** LobeHub: while holding every frame, the quiet after the last one that ends the replay. Default 500 ms. */
  resumeQuietMs: number;
  /** LobeHub: how long after a group member's end a session end is taken for its echo. Default 5 000 ms. */
  memberEchoWindowMs: number;
}

/** The defaults of every timing and limit (README "Options"). */
export const DEFAULT_CONNECTION_CONFIG: Readonly<ConnectionConfig> = Object.freeze({
  dialect: 'original',
  autoReconnect: true,
  maxReconnectAttempts: 10,
  initialReconnectDelayMs: 1_000,
  maxReconnectDelayMs: 30_000,
  reconnectJitter: 0.5,
  heartbeatIntervalMs: 30_000,
  heartbeatTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  authTimeoutMs: 10_000,
  minUptimeMs: 5_000,
  maxQueuedCommands: 100,
  outboxOverflow: 'rejectNew',
  wantStatus: true,
  maxReauthsPerLink: 3,
  maxMalformedFramesPerSecond: 100,
  replayTimeoutMs: 10_000,
  maxHeldFrames: 10_000,
  maxHeldBytes: 8 * 1024 * 1024,
  backoffReset: 'uptime',
  reauthOnExpiry: true,
  maxMissedHeartbeats: 3,
  resumeOnConnect: false,
  resumeQuietMs: 500,
  memberEchoWindowMs: 5_000,
});
