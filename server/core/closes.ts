import { CloseCode } from '../../src/protocol/closeCodes.js';

/**
 * A close the gateway decides. `abusive` closes stop reading the socket at once (Node), since its
 * peer broke a rule; the others leave it time to answer the close frame.
 */
export interface Close {
  code: number;
  reason: string;
  abusive?: boolean;
}

/** Server: the peer reads too slowly; its send buffer passed the cap. Retryable (RFC 6455 "Try Again Later"). */
export const SLOW_READER_CODE = 1013;
/** Server: internal error. */
export const INTERNAL_ERROR_CODE = 1011;
/** Server: restarting a session; the client reconnects. */
export const RESTARTING_CODE = 1012;

/** Every close the gateway sends, with its code and reason (docs/gateway-security.md). */
export const Closes = {
  expectedAuth: { code: CloseCode.badRequest, reason: 'Expected auth', abusive: true },
  alreadyAuthenticated: { code: CloseCode.badRequest, reason: 'Already authenticated', abusive: true },
  binary: { code: CloseCode.unsupportedData, reason: 'Binary frames are not supported', abusive: true },
  tooBig: { code: CloseCode.messageTooBig, reason: 'Frame too large', abusive: true },
  rateLimited: { code: CloseCode.rateLimited, reason: 'Rate limit exceeded', abusive: true },
  tooManyPending: { code: CloseCode.rateLimited, reason: 'Too many pending frames', abusive: true },
  unauthorized: { code: CloseCode.unauthorized, reason: 'Unauthorized' },
  authTimeout: { code: CloseCode.authTimeout, reason: 'Auth timeout' },
  idleTimeout: { code: CloseCode.authTimeout, reason: 'Idle timeout' },
  // A dialect without `auth_expired` (the original's) ends the link when its token does: retryable.
  tokenExpired: { code: CloseCode.authTimeout, reason: 'Token expired' },
  slowReader: { code: SLOW_READER_CODE, reason: 'Slow reader' },
  internal: { code: INTERNAL_ERROR_CODE, reason: 'Internal error' },
  shuttingDown: { code: CloseCode.goingAway, reason: 'Gateway shutting down' },
  restarting: { code: RESTARTING_CODE, reason: 'Session restarting' },
} as const satisfies Record<string, Close>;

/** The close for a frame that is not a valid client frame (4400). */
export function malformed(kind: string): Close {
  return { code: CloseCode.badRequest, reason: `Malformed frame: ${kind}`, abusive: true };
}
