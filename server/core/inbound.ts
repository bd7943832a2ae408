import { parseClientFrame } from '../../src/protocol/parseClient.js';
import type { ClientFrame } from '../../src/protocol/types.js';
import { type Close, Closes, malformed } from './closes.js';
import type { GatewayLimits } from './limits.js';
import { type TokenBucket, takeToken } from './rateLimit.js';

/** A raw client frame, as an engine received it. */
export interface InboundFrame {
  /** The text, or `undefined` for a binary frame. */
  text: string | undefined;
  /** Its size in bytes. */
  bytes: number;
}

/** What to do with a raw frame: handle it, or close the socket. */
export type Admission = { ok: true; frame: ClientFrame } | { ok: false; close: Close };

/**
 * The checks every raw frame passes before the protocol sees it, in this order: size (1009), rate
 * (4429), binary (1003), frames already waiting (4429), shape (4400).
 */
export function admitFrame(
  inbound: InboundFrame,
  context: {
    bucket: TokenBucket;
    /** Frames of this socket still waiting to be handled. */
    pending: number;
    limits: Pick<GatewayLimits, 'maxFrameBytes' | 'rateLimit' | 'maxPendingFrames'>;
    now: number;
  },
): Admission {
  const { limits } = context;
  if (inbound.bytes > limits.maxFrameBytes) return { ok: false, close: Closes.tooBig };
  if (!takeToken(context.bucket, limits.rateLimit, context.now))
    return { ok: false, close: Closes.rateLimited };
  if (inbound.text === undefined) return { ok: false, close: Closes.binary };
  if (context.pending >= limits.maxPendingFrames) return { ok: false, close: Closes.tooManyPending };
  const result = parseClientFrame(inbound.text);
  return result.ok ? result : { ok: false, close: malformed(result.error.kind) };
}

const encoder = new TextEncoder();

/** UTF-8 size of a text frame, encoding it only when its length leaves the answer open against `max`. */
export function textBytes(text: string, max: number): number {
  // UTF-8 takes 1–3 bytes per UTF-16 unit: most frames are decided without encoding them.
  if (text.length * 3 <= max || text.length > max) return text.length;
  return encoder.encode(text).byteLength;
}
