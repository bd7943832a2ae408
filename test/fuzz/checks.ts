import type { CommandReceipt, ConnectionStatus } from 'agent-gateway-client';
import type { FuzzSocket } from './fuzzSocket.js';
import { type FuzzConfig, TIMINGS } from './steps.js';

/** The invariants of the brief, by number, named in every failure; 8 and 9 are extras. */
export const INVARIANTS = {
  1: 'I1 no exception escapes',
  2: 'I2 at most one live socket, abandoned sockets detached',
  3: 'I3 connectionStatus derived from the machine and consistent with the sockets',
  4: 'I4 lastEventId and event delivery',
  5: 'I5 nothing but auth before auth_success',
  6: 'I6 commands accounted for, never duplicated',
  7: 'I7 dispose leaves nothing behind',
  8: 'I8 (extra) timeouts and backoff keep to their schedule',
  9: 'I9 (extra) browser events reconnect only a client waiting to reconnect or that gave up',
} as const;

/** An invariant's number. */
export type Invariant = keyof typeof INVARIANTS;

/** I3: what contradicts `status`, given the live socket (if any). */
export function statusProblem(status: ConnectionStatus, live: FuzzSocket | undefined): string | undefined {
  switch (status) {
    case 'disconnected':
    case 'reconnecting':
      return live ? `socket #${live.index} is live` : undefined;
    case 'connecting':
      return live?.readyState === 0 ? undefined : 'there is no live socket still opening';
    case 'authenticating':
      return live !== undefined && live.readyState !== 0 && live.authWrites > 0
        ? undefined
        : 'no live open socket was sent auth';
    case 'connected':
      return live?.authSucceeded ? undefined : 'no live socket received auth_success after its last auth';
  }
}

/** I8: what has lasted longer than the configured timeouts allow, if anything. */
export function overdue(
  status: ConnectionStatus,
  live: FuzzSocket | undefined,
  retryDueAt: number,
): string | undefined {
  const now = Date.now();
  const since = (time: number, limit: number, what: string) =>
    now - time > limit ? `${what} ${now - time} ms ago (limit ${limit} ms)` : undefined;
  if (status === 'reconnecting')
    return now > retryDueAt ? `the reconnect was due ${now - retryDueAt} ms ago` : undefined;
  if (live === undefined) return undefined;
  if (status === 'connecting') return since(live.createdAt, TIMINGS.connectTimeoutMs, 'socket created');
  if (status === 'authenticating') return since(live.authWrittenAt, TIMINGS.authTimeoutMs, 'auth written');
  if (status === 'connected')
    return since(live.lastFrameAt, TIMINGS.heartbeatIntervalMs + TIMINGS.heartbeatTimeoutMs, 'last frame');
  return undefined;
}

/** I8: a `reconnecting(delayMs, attempt)` event outside the backoff schedule or over the attempt limit. */
export function backoffProblem(delayMs: number, attempt: number, config: FuzzConfig): string | undefined {
  const { maxReconnectAttempts, reconnectJitter } = config;
  // The backoff schedule (README "Options"), written here rather than taken from the package: doubling from the first
  // delay, capped.
  const nominal = Math.min(TIMINGS.initialReconnectDelayMs * 2 ** (attempt - 1), TIMINGS.maxReconnectDelayMs);
  const shortest = Math.floor(nominal * (1 - reconnectJitter));
  if (delayMs > nominal || delayMs < shortest)
    return `reconnecting(${delayMs}, attempt ${attempt}) is outside [${shortest}, ${nominal}]`;
  if (maxReconnectAttempts > 0 && attempt > maxReconnectAttempts)
    return `reconnecting(${delayMs}, attempt ${attempt}) is over the limit of ${maxReconnectAttempts}`;
  return undefined;
}

/** What the receipt of a command call must say, given the status before the call. */
export interface ReceiptFacts {
  before: ConnectionStatus;
  /** The command was written during the call. */
  written: boolean;
  /** Its refusal was also told as an `error` (it must not be: the receipt tells it). */
  rejected: boolean;
  /** The live socket is OPEN (a CLOSING one silently drops what the client writes). */
  socketOpen: boolean;
  /** Issued from a listener of a machine event: the outcome is not known yet. */
  fromMachineCallback: boolean;
  /** The client was disposed before the call: it refuses every command at once. */
  disposed: boolean;
}

/** I6: what is wrong with a command's receipt, if anything. */
export function receiptProblem(receipt: CommandReceipt, facts: ReceiptFacts): string | undefined {
  const { before, written, rejected } = facts;
  if (facts.disposed) {
    return receipt.status === 'rejected' && !written ? undefined : 'a disposed client accepted a command';
  }
  if (facts.fromMachineCallback)
    return receipt.status === 'pending' ? undefined : 'a command issued in a machine callback is not pending';
  switch (receipt.status) {
    case 'sent':
      return before === 'connected' && written
        ? undefined
        : `sent while ${before} but ${written ? 'written' : 'not written'}`;
    case 'queued':
      // Connected but on a CLOSING socket: the write could not happen, so the command waits for the next link.
      return !written && before !== 'disconnected' && (before !== 'connected' || !facts.socketOpen)
        ? undefined
        : `queued while ${before}${written ? ' and written' : ''}`;
    case 'rejected': {
      const reason = before === 'disconnected' ? 'notConnected' : 'outboxFull';
      return !rejected && receipt.reason === reason && before !== 'connected'
        ? undefined
        : `rejected while ${before}${rejected ? ' and told again as an error' : ''}`;
    }
    case 'pending':
      return 'pending outside a machine callback';
  }
}
