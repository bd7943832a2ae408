/** WebSocket close codes this protocol uses, with who sends them. */
export const CloseCode = {
  /** Client: intentional disconnect (`Client disconnect`). */
  normal: 1000,
  /** Server: shutting down or restarting; the client reconnects. */
  goingAway: 1001,
  /** Server: the peer broke the WebSocket protocol. */
  protocolError: 1002,
  /** Server: the frame's data cannot be accepted (e.g. binary). */
  unsupportedData: 1003,
  /** Server: a policy was violated. */
  policyViolation: 1008,
  /** Server: a frame exceeded the size limit. */
  messageTooBig: 1009,
  /** Client: no heartbeat ack, or no open/auth in time (`Heartbeat timeout`, `Connect timeout`, `Auth timeout`). */
  clientTimeout: 4000,
  /** Server: authentication failed or never happened. */
  unauthorized: 4001,
  /** Server: the token is valid but not for this session. */
  forbidden: 4003,
  /** Server: a slow reader was dropped (its send buffer overflowed); the client retries. */
  tryAgainLater: 1013,
  /** Server: the socket did not authenticate in time, or was silent too long; the client may retry. */
  authTimeout: 4008,
  /** Server: malformed frame, or a frame before `auth`. */
  badRequest: 4400,
  /** Server: too many frames; the client may retry after a backoff. */
  rateLimited: 4429,
} as const;

const terminalCodes: ReadonlySet<number> = new Set([
  CloseCode.protocolError,
  CloseCode.unsupportedData,
  CloseCode.policyViolation,
  CloseCode.messageTooBig,
  CloseCode.unauthorized,
  CloseCode.forbidden,
  CloseCode.badRequest,
]);

/**
 * Whether a close code sent by the server means "do not retry": the retry would be refused the same
 * way (1002, 1003, 1008, 1009, 4001, 4003, 4400, and the whole 4500–4999 range).
 */
export function isTerminalCloseCode(code: number): boolean {
  return terminalCodes.has(code) || (code >= 4500 && code <= 4999);
}
