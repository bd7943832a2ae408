/** What to do with a new command when the outbox is full. */
export type OutboxOverflow = 'rejectNew' | 'dropOldest';

/** The numbers and switches the connection machine decides with (all the facade's timing options). */
export interface ConnectionConfig {
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
}

/** The defaults of every timing and limit (README "Options"). */
export const DEFAULT_CONNECTION_CONFIG: Readonly<ConnectionConfig> = Object.freeze({
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
});
