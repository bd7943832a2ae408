import { GATEWAY_CAPABILITIES, type SessionStatus } from '../../src/protocol/types.js';
import type { GatewayDialect } from './dialect.js';

// Link frames, encoded once; keys in alphabetical order, like the client's frames.

/** `heartbeat`, as clients send it (the Durable Object's auto-response matches it exactly). */
export const HEARTBEAT = '{"type":"heartbeat"}';
/** `heartbeat_ack`. */
export const HEARTBEAT_ACK = '{"type":"heartbeat_ack"}';
/** `auth_expired` (extension). */
export const AUTH_EXPIRED = '{"type":"auth_expired"}';

const announced = JSON.stringify({ capabilities: GATEWAY_CAPABILITIES, type: 'auth_success' });

/** The `auth_success` of a dialect: with every capability for ours, bare for the others. */
export function authSuccessFrame(dialect: GatewayDialect): string {
  return dialect === 'reference' ? announced : '{"type":"auth_success"}';
}

/** `auth_failed {reason}`. */
export function authFailedFrame(reason: string): string {
  return JSON.stringify({ reason, type: 'auth_failed' });
}

/** LobeHub's `resume_complete {status}`, with `gap: true` when events after the resume point are no longer kept. */
export function lobehubResumeCompleteFrame(status: SessionStatus, gap: boolean): string {
  return JSON.stringify(
    gap ? { gap: true, status, type: 'resume_complete' } : { status, type: 'resume_complete' },
  );
}

/**
 * `resume_complete {status}` (extension), plus `recovered: false` when events after the resume point
 * were no longer kept (or the id was unknown): the replay is not the whole story.
 */
export function resumeCompleteFrame(status: SessionStatus, recovered: boolean): string {
  return JSON.stringify(
    recovered ? { status, type: 'resume_complete' } : { recovered: false, status, type: 'resume_complete' },
  );
}
