import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../src/protocol/closeCodes.js';
import { parseClientFrame } from '../src/protocol/parseClient.js';
import type { ClientFrame, CommandFrame, SessionEventMessage } from '../src/protocol/types.js';
import { authSuccessFrame, type GatewayDialect } from './core/dialect.js';
import type { FaultOptions } from './faults.js';
import type { GatewaySession } from './session.js';
import type { TokenVerifier } from './tokens.js';

/** Limits and hooks one socket's handler needs from the gateway. */
export interface ConnectionSettings {
  chatKey: string;
  /** The protocol dialect the socket speaks. */
  dialect: GatewayDialect;
  verifyToken: TokenVerifier;
  /** Finds or creates (and starts) the session once a socket authenticates. */
  openSession: (chatKey: string) => GatewaySession;
  authTimeoutMs: number;
  rateLimit: { burst: number; perSecond: number };
  faults: () => FaultOptions;
  onError: (error: unknown) => void;
}

type Phase = 'awaitingAuth' | 'verifying' | 'awaitingResume' | 'live' | 'closed';

/**
 * Speaks the gateway side of SPEC §3 on one socket: `auth` first (anything else closes 4400; no
 * auth in time closes 4008), then `resume` → replay → `resume_complete` → live events, never
 * interleaved; heartbeats answered; commands applied to the session; floods closed with 4429.
 */
export function handleConnection(ws: WebSocket, settings: ConnectionSettings): void {
  let phase: Phase = 'awaitingAuth';
  let session: GatewaySession | undefined;
  let unsubscribe: (() => void) | undefined;
  let authTimer: NodeJS.Timeout | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;
  let eventsSent = 0;
  // Frames that arrive after `auth` but before its verification finished: handled once it has.
  let pendingFrames: ClientFrame[] = [];
  let tokens = settings.rateLimit.burst;
  let refilledAt = Date.now();

  const send = (text: string) => {
    const delay = settings.faults().frameDelayMs ?? 0;
    if (delay > 0) setTimeout(() => ws.readyState === ws.OPEN && ws.send(text), delay);
    else if (ws.readyState === ws.OPEN) ws.send(text);
  };
  const sendJson = (frame: object) => send(JSON.stringify(frame));

  const close = (code: number, reason: string) => {
    if (phase === 'closed') return;
    stopFollowing();
    phase = 'closed';
    ws.close(code, reason);
  };

  const stopFollowing = () => {
    unsubscribe?.();
    unsubscribe = undefined;
    clearTimeout(authTimer);
    clearTimeout(expiryTimer);
  };

  const armAuthTimeout = () => {
    clearTimeout(authTimer);
    authTimer = setTimeout(() => close(CloseCode.authTimeout, 'Auth timeout'), settings.authTimeoutMs);
  };

  const sendEvent = (_event: SessionEventMessage, encoded: string) => {
    if (phase === 'closed') return;
    const faults = settings.faults();
    eventsSent++;
    if (faults.malformedEvery && eventsSent % faults.malformedEvery === 0)
      send('{"type":"agent_event","id":');
    send(encoded);
    if (faults.dropAfterEvents && eventsSent >= faults.dropAfterEvents) {
      stopFollowing();
      phase = 'closed';
      ws.terminate();
    }
  };

  const withinRate = () => {
    const now = Date.now();
    const { burst, perSecond } = settings.rateLimit;
    tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * perSecond);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };

  const authenticate = async (token: string) => {
    phase = 'verifying';
    let check: Awaited<ReturnType<TokenVerifier>>;
    try {
      check = await settings.verifyToken(token, settings.chatKey);
    } catch (error) {
      settings.onError(error);
      check = { ok: false, reason: 'Token verification failed' };
    }
    if (phase !== 'verifying') return;
    if (!check.ok) {
      pendingFrames = [];
      sendJson({ type: 'auth_failed', reason: check.reason });
      return close(CloseCode.unauthorized, 'Unauthorized');
    }
    clearTimeout(authTimer);
    session = settings.openSession(settings.chatKey);
    if (settings.dialect === 'original') {
      // The original gateway checks a token only at `auth`, and streams live events at once.
      send(authSuccessFrame('original'));
      phase = 'live';
      unsubscribe = session.subscribe(sendEvent);
    } else {
      phase = 'awaitingResume';
      armExpiry(check.expiresAt);
      send(authSuccessFrame('reference'));
    }
    const queued = pendingFrames;
    pendingFrames = [];
    for (const frame of queued) onFrame(frame);
  };

  const armExpiry = (expiresAt: number | undefined) => {
    const expireAfter = settings.faults().expireAuthAfterMs;
    const untilExpiry = Math.min(
      expiresAt === undefined ? Number.POSITIVE_INFINITY : expiresAt - Date.now(),
      expireAfter ?? Number.POSITIVE_INFINITY,
    );
    if (Number.isFinite(untilExpiry)) expiryTimer = setTimeout(expire, Math.max(0, untilExpiry));
  };

  // The token expired: stop live events until the client re-authenticates on this socket and resumes.
  const expire = () => {
    if (phase !== 'awaitingResume' && phase !== 'live') return;
    unsubscribe?.();
    unsubscribe = undefined;
    phase = 'awaitingAuth';
    sendJson({ type: 'auth_expired' });
    armAuthTimeout();
  };

  // The original gateway: a replay of the events after `lastEventId`, in one step, beside the live
  // events already flowing (it may repeat some: the client dedupes by id).
  const replayOriginal = (lastEventId: string) => {
    for (const event of session?.replay(lastEventId).events ?? []) {
      sendEvent(event, JSON.stringify(event));
      if ((phase as Phase) === 'closed') return;
    }
  };

  const apply = (frame: CommandFrame) => {
    if (session === undefined) return;
    session.receive(frame);
    if (settings.dialect === 'reference') return void session.apply(frame);
    // The original frames carry no commandId: the original gateway cannot deduplicate.
    const { commandId: _ignored, ...original } = frame;
    session.apply(original);
  };

  const resume = (lastEventId: string, wantStatus: boolean) => {
    if (settings.dialect === 'original') return replayOriginal(lastEventId);
    if (session === undefined || phase !== 'awaitingResume') return;
    const current = session;
    // Replay, resume_complete and the switch to live happen in one synchronous step, so no live
    // event can slip in between (SPEC §3 ordering).
    for (const event of current.replay(lastEventId).events) {
      sendEvent(event, JSON.stringify(event));
      // sendEvent may have dropped the socket (fault injection).
      if ((phase as Phase) === 'closed') return;
    }
    if (wantStatus) sendJson({ type: 'resume_complete', status: current.status ?? 'running' });
    phase = 'live';
    unsubscribe = current.subscribe(sendEvent);
  };

  const onFrame = (frame: ClientFrame) => {
    if (phase === 'awaitingAuth') {
      if (frame.type !== 'auth') return close(CloseCode.badRequest, 'Expected auth');
      return void authenticate(frame.token);
    }
    if (phase === 'verifying') return void pendingFrames.push(frame);
    switch (frame.type) {
      case 'auth':
        return close(CloseCode.badRequest, 'Already authenticated');
      case 'heartbeat':
        if (!settings.faults().swallowHeartbeatAcks) sendJson({ type: 'heartbeat_ack' });
        return;
      case 'resume':
        return resume(frame.lastEventId, frame.wantStatus === true);
      default:
        apply(frame);
    }
  };

  ws.on('message', (data: RawData, isBinary: boolean) => {
    try {
      if (phase === 'closed') return;
      if (!withinRate()) return close(CloseCode.rateLimited, 'Rate limit exceeded');
      if (isBinary) return close(CloseCode.unsupportedData, 'Binary frames are not supported');
      const result = parseClientFrame(data.toString());
      if (!result.ok) return close(CloseCode.badRequest, `Malformed frame: ${result.error.kind}`);
      onFrame(result.frame);
    } catch (error) {
      settings.onError(error);
      close(1011, 'Internal error');
    }
  });
  ws.on('close', () => {
    stopFollowing();
    phase = 'closed';
  });
  ws.on('error', (error) => {
    settings.onError(error);
    stopFollowing();
    phase = 'closed';
  });
  armAuthTimeout();
}
