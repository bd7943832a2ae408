import { assign, emit, enqueueActions, fromCallback, not, raise, sendTo, setup, stateIn } from 'xstate';
import { isTerminalCloseCode } from '../src/protocol/closeCodes.js';
import {
  type CommandFrame,
  type GatewayCapability,
  type ResumeCompleteMessage,
  type SessionCompleteMessage,
  type SessionStatus,
  TERMINAL_SESSION_STATUSES,
} from '../src/protocol/types.js';
import { backoffDelayMs, drawJitter } from './backoff.js';
import { type ConnectionConfig, DEFAULT_CONNECTION_CONFIG } from './connection.config.js';

/** Why the client is disconnected: part of the state, so "gave up" never looks like "the user left". */
export type DisconnectReason =
  | 'idle'
  | 'userDisconnect'
  | 'authFailed'
  | 'gaveUp'
  | 'sessionComplete'
  | 'terminalClose'
  | 'refused'
  | 'linkLost';

/** A user command with the id that lets a gateway apply it once. */
export interface QueuedCommand {
  commandId: string;
  frame: CommandFrame;
}

/** A command written to the current socket, waiting for a heartbeat round trip to prove the gateway read it. */
export interface InFlightCommand extends QueuedCommand {
  /** The command is confirmed once this many heartbeats of its link are acknowledged. */
  confirmedAtAck: number;
}

/** The last close the gateway sent, exposed when it ended the session. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * The connection machine's data: only what a person would want to see in the inspector. Holds no
 * token and no dependency of its client (the adapter finds those by its actor system).
 */
export interface ConnectionContext {
  config: ConnectionConfig;
  chatKey: string;
  /** Counts conversations: a connect to another chatKey than the last starts a new one (ids, view, resume point). */
  conversation: number;
  /** State of the jitter's random draws (a seeded PRNG, so a seed replays the same delays). */
  jitterSeed: number;
  /** Reconnect attempts made in the current series. */
  attempt: number;
  /** The delay chosen for the pending reconnect. */
  retryDelayMs: number;
  /** Commands not yet written, in issue order. */
  outbox: QueuedCommand[];
  /** Commands written to the current socket and not yet confirmed. */
  inFlight: InFlightCommand[];
  /** The last command refused, and why: what a caller's receipt reads after its `send`. */
  refused: { commandId: string; reason: CommandRefusal } | undefined;
  /** Re-authentications on the current link since its replay last completed. */
  reauths: number;
  /** Malformed frames of the current link within the last second. */
  malformedFrames: number;
  /** Heartbeats written on the current socket. */
  heartbeatsSent: number;
  /** Heartbeat acks received on the current socket. */
  heartbeatsAcked: number;
  /** What the gateway of the current link announced in `auth_success`; `[]` for the original gateway. */
  capabilities: readonly string[];
  /** Where the current link's replay starts: the last event delivered when it authenticated (`""`: none yet). */
  resumeFrom: string;
  /** Sockets opened in this conversation, the current one included. */
  links: number;
  /** LobeHub: heartbeats in a row not acknowledged. */
  missedHeartbeats: number;
  /** LobeHub: the status a group member's end, seen since this link authenticated, would have left on the session. */
  memberEndStatus: SessionStatus | undefined;
  lastClose: CloseInfo | undefined;
  authFailure: string | undefined;
}

/** Events the machine reacts to, named after where they come from. */
export type ConnectionEvent =
  | { type: 'user.connect'; chatKey: string }
  | { type: 'user.disconnect' }
  | { type: 'user.reconnect' }
  | { type: 'user.command'; command: QueuedCommand }
  | { type: 'env.online' }
  | { type: 'env.visible' }
  | { type: 'socket.open' }
  | { type: 'socket.closed'; code: number; reason: string }
  | { type: 'socket.error'; message: string }
  /** The gateway answered the WebSocket upgrade with an HTTP error (Node's `ws` tells the status). */
  | { type: 'socket.refused'; status: number; message: string }
  | { type: 'socket.alive' }
  | { type: 'socket.tokenFailed'; message: string }
  | { type: 'socket.commandUnsent'; commandId: string }
  | { type: 'socket.malformedFrame' }
  /** The frames held while a replay's end is awaited passed the limits. */
  | { type: 'socket.holdOverflow' }
  /** LobeHub, while holding every frame: one more was held (the quiet starts over). */
  | { type: 'socket.frameHeld' }
  /** `lastEventId`: the last event delivered when the gateway said `auth_success`. */
  | { type: 'server.authSuccess'; capabilities: readonly string[]; lastEventId: string }
  | { type: 'server.authFailed'; reason: string }
  | { type: 'server.authExpired' }
  | { type: 'server.heartbeatAck' }
  | { type: 'server.resumeComplete'; message: ResumeCompleteMessage }
  | { type: 'server.replayEnded' }
  | { type: 'server.sessionComplete'; message: SessionCompleteMessage }
  /** A `session_complete` (or the operation's own end) is among the frames held. */
  | { type: 'server.sessionEndHeld' }
  /** LobeHub: the operation's own `agent_runtime_end` or `error` event was delivered. */
  | { type: 'server.operationEnded' }
  /** LobeHub: a group member's `agent_runtime_end` was delivered, with the status it leaves behind. */
  | { type: 'server.memberEnded'; status: SessionStatus }
  /** LobeHub: the operation's own event came after a member's end: it is alive, a session end is its own again. */
  | { type: 'server.operationActive' }
  | { type: 'link.lost' }
  | { type: 'link.probe' }
  /** Frames are delivered as they come (the replay is over, or the gateway orders it). */
  | { type: 'link.flowing' };

/** Commands the machine gives the socket adapter. */
export type SocketCommand =
  | { type: 'auth' }
  | { type: 'resume'; wantStatus: boolean }
  | { type: 'heartbeat' }
  /** Write `frame` (with the commandId only where the gateway deduplicates by it). */
  | { type: 'command'; commandId: string; frame: CommandFrame }
  /** Hold session frames from now on (the gateway streams live events before its replay). */
  | { type: 'holdFrames'; limits: HoldLimits }
  /** LobeHub: deliver frames in id order from now on, holding those that come early. */
  | { type: 'sequenceFrames'; limits: HoldLimits }
  /** LobeHub: hold every session frame from now on, telling each one (`resumeOnConnect`). */
  | { type: 'bufferFrames'; limits: HoldLimits }
  /** The replay is over: deliver the held frames, each once and in order, then let frames pass. */
  | { type: 'releaseFrames' }
  /** The replay is over: its frames need not be kept for a rebuild any more. */
  | { type: 'replayOver' }
  | { type: 'close'; code: number; reason: string };

/** How much may be held while a replay's end is awaited. */
export interface HoldLimits {
  maxFrames: number;
  /** Text length of the held frames together (≈ bytes for ASCII). */
  maxBytes: number;
}

/** Why a command was refused: no session, or the outbox is full while the link is down. */
export type CommandRefusal = 'notConnected' | 'outboxFull';

/** What the machine tells the outside world (the facade turns these into client events). */
export type ConnectionEmitted =
  | { type: 'sessionStarted'; chatKey: string; conversation: number }
  | { type: 'connected' }
  | { type: 'disconnected' }
  | { type: 'reconnecting'; delayMs: number; attempt: number }
  | { type: 'authFailed'; reason: string }
  | { type: 'resumed'; status: SessionStatus }
  | { type: 'sessionComplete'; message: SessionCompleteMessage | ResumeCompleteMessage }
  /** LobeHub: the operation ended itself (its own `agent_runtime_end` or `error` event). */
  | { type: 'operationEnded' }
  /** The token expired and the client does not re-authenticate by itself (`reauthOnExpiry: false`). */
  | { type: 'authExpired' }
  | { type: 'linkError'; message: string }
  | { type: 'gaveUp'; attempts: number }
  | { type: 'closedByGateway'; code: number; reason: string }
  /** The gateway refused the WebSocket upgrade in a way a retry would meet again. */
  | { type: 'refused'; status: number; message: string }
  | { type: 'commandRejected'; command: QueuedCommand; reason: CommandRefusal }
  | { type: 'commandDropped'; command: QueuedCommand; reason: 'outboxFull' | 'sessionEnded' }
  | { type: 'commandWritten'; command: QueuedCommand }
  | { type: 'commandUnsent'; command: QueuedCommand }
  | { type: 'commandConfirmed'; command: QueuedCommand }
  | { type: 'commandUnconfirmed'; command: QueuedCommand }
  | { type: 'historyLost'; status: SessionStatus };

/** Input of the machine: timing and limits (`DEFAULT_CONNECTION_CONFIG` for anything left out). */
export interface ConnectionInput {
  config?: Partial<ConnectionConfig>;
  /** Seed of the jitter's random draws. Default a random one. */
  jitterSeed?: number;
}

/** Input of the socket actor the machine invokes for each link. */
export interface SocketActorInput {
  chatKey: string;
}

/**
 * The event an action runs for, by its type: the machine takes that action only on transitions for
 * events of that type, so the type is known (a cast, checked by the compiler, not at run time).
 */
function eventOf<T extends ConnectionEvent['type']>(
  event: ConnectionEvent,
): Extract<ConnectionEvent, { type: T }> {
  return event as Extract<ConnectionEvent, { type: T }>;
}

/** Whether the gateway of the current link announced an extension. */
function announces(context: ConnectionContext, capability: GatewayCapability): boolean {
  return context.capabilities.includes(capability);
}

/** HTTP statuses of a refused upgrade that a retry would meet again: a wrong URL or wrong credentials. */
const FINAL_REFUSALS: readonly number[] = [400, 401, 403, 404, 410];

/**
 * LobeHub: a terminal `resume_complete` status that a group member's end, replayed on this link,
 * explains is the member's, not this operation's: ignored (the status a gateway sets on any end).
 */
const ignoreStaleStatus = { guard: 'isStaleTerminalStatus', actions: [] } as const;

/** The hold limits of the configuration. */
function holdLimits(context: ConnectionContext): HoldLimits {
  return { maxFrames: context.config.maxHeldFrames, maxBytes: context.config.maxHeldBytes };
}

/** The replay is over: frames pass, and what was held is delivered. */
const releaseAndGoLive = {
  target: '#connection.link.connected.replay.live',
  actions: 'releaseFrames',
} as const;

/** `resume_complete` with a terminal status ends the session, whether the replay was still running or not. */
const endSessionOnTerminalStatus = {
  guard: 'isTerminalStatus',
  target: '#connection.disconnected.sessionComplete',
  actions: [
    'emitResumed',
    'reportHistoryLoss',
    'emitSessionComplete',
    'dropQueuedCommands',
    'emitDisconnected',
  ],
} as const;

/**
 * The connection machine (docs/connection-machine.md). It owns every decision about the link; the socket adapter
 * (invoked as `socket` while a link exists) executes its commands and reports what the socket and
 * the gateway say. Data frames (agent events, status changes, requests) do not pass through here:
 * they change no decision, and the adapter delivers them straight to the client.
 */
export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    emitted: {} as ConnectionEmitted,
    input: {} as ConnectionInput,
  },
  actors: {
    // Implemented by the client (src/socket.actor.ts, src/environment.actor.ts); these placeholders
    // keep the definition pure and let tools (diagram, model tests) run it without a network.
    socket: fromCallback<SocketCommand, SocketActorInput>(() => undefined),
    environment: fromCallback(() => undefined),
  },
  guards: {
    canReconnect: ({ context }) => context.config.autoReconnect,
    isMaxAttemptsReached: ({ context }) =>
      context.config.maxReconnectAttempts !== 0 && context.attempt >= context.config.maxReconnectAttempts,
    isTerminalClose: ({ event }) => event.type === 'socket.closed' && isTerminalCloseCode(event.code),
    isFinalRefusal: ({ event }) => event.type === 'socket.refused' && FINAL_REFUSALS.includes(event.status),
    isTerminalStatus: ({ event }) =>
      event.type === 'server.resumeComplete' && TERMINAL_SESSION_STATUSES.includes(event.message.status),
    // Only trusted when nothing was lost: the member's end still being there means the operation's own would be too.
    isStaleTerminalStatus: ({ context, event }) =>
      event.type === 'server.resumeComplete' &&
      event.message.gap !== true &&
      context.memberEndStatus !== undefined &&
      context.memberEndStatus === event.message.status,
    isEchoOfMemberEnd: stateIn({ link: { connected: { memberEcho: 'window' } } }),
    // Events may have streamed to an earlier socket that died before delivering any (even one whose
    // auth_success never arrived), or past this one while it re-authenticated: they are replayed.
    mayHaveMissedEvents: ({ context }) =>
      context.resumeFrom !== '' || context.links > 1 || context.reauths > 0,
    isLobeHub: ({ context }) => context.config.dialect === 'lobehub',
    // LobeHub's `resumeOnConnect`: a link without a cursor holds everything until its replay ends.
    buffersOnConnect: ({ context }) =>
      context.config.dialect === 'lobehub' && context.config.resumeOnConnect && context.resumeFrom === '',
    resetsBackoffOnOpen: ({ context }) => context.config.backoffReset === 'open',
    reauthenticatesOnExpiry: ({ context }) => context.config.reauthOnExpiry,
    isMissLimitReached: ({ context }) => context.missedHeartbeats + 1 > context.config.maxMissedHeartbeats,
    isOutboxFull: ({ context }) => context.outbox.length >= context.config.maxQueuedCommands,
    shouldDropOldest: ({ context }) =>
      context.outbox.length >= context.config.maxQueuedCommands &&
      context.config.outboxOverflow === 'dropOldest',
    hasOtherUnackedHeartbeats: ({ context }) => context.heartbeatsAcked + 1 < context.heartbeatsSent,
    hasUnackedHeartbeats: ({ context }) => context.heartbeatsAcked < context.heartbeatsSent,
    // The gateway handles a socket's frames in order: the ack of a heartbeat written after `resume`
    // comes after the whole replay.
    isReauthLimitReached: ({ context }) => context.reauths >= context.config.maxReauthsPerLink,
    isMalformedFlood: ({ context }) =>
      context.malformedFrames + 1 > context.config.maxMalformedFramesPerSecond,
    isAckOfLatestHeartbeat: ({ context }) =>
      context.heartbeatsAcked < context.heartbeatsSent &&
      context.heartbeatsAcked + 1 >= context.heartbeatsSent,
    // `command_id`: a command re-sent after a lost link is applied once, so it may be re-sent.
    gatewayDedupsCommands: ({ context }) => announces(context, 'command_id'),
    // `resume_complete`: nothing live before the replay, which ends with `resume_complete` when asked.
    gatewayOrdersReplay: ({ context }) => announces(context, 'resume_complete'),
  },
  delays: {
    backoff: ({ context }) => context.retryDelayMs,
    connectTimeout: ({ context }) => context.config.connectTimeoutMs,
    authTimeout: ({ context }) => context.config.authTimeoutMs,
    heartbeatInterval: ({ context }) => context.config.heartbeatIntervalMs,
    heartbeatTimeout: ({ context }) => context.config.heartbeatTimeoutMs,
    minUptime: ({ context }) => context.config.minUptimeMs,
    malformedWindow: 1_000,
    replayTimeout: ({ context }) => context.config.replayTimeoutMs,
    resumeQuiet: ({ context }) => context.config.resumeQuietMs,
    memberEchoWindow: ({ context }) => context.config.memberEchoWindowMs,
  },
  actions: {
    startSession: assign(({ event, context }) => {
      const { chatKey } = eventOf<'user.connect'>(event);
      // The first chatKey continues the conversation the client was created for (its `lastEventId`).
      const another = context.chatKey !== '' && chatKey !== context.chatKey;
      return {
        chatKey,
        conversation: another ? context.conversation + 1 : context.conversation,
        links: another ? 0 : context.links,
        attempt: 0,
        lastClose: undefined,
        authFailure: undefined,
      };
    }),
    emitSessionStarted: emit(({ context }) => ({
      type: 'sessionStarted' as const,
      chatKey: context.chatKey,
      conversation: context.conversation,
    })),
    resetAttempts: assign({ attempt: 0 }),
    resetReauths: assign({ reauths: 0 }),
    countReauth: assign({ reauths: ({ context }) => context.reauths + 1 }),
    countMalformed: assign({ malformedFrames: ({ context }) => context.malformedFrames + 1 }),
    forgetMalformed: assign({ malformedFrames: 0 }),
    scheduleRetry: assign(({ context }) => {
      const { fraction, seed } = drawJitter(context.jitterSeed);
      return {
        attempt: context.attempt + 1,
        retryDelayMs: backoffDelayMs(context.attempt + 1, context.config, fraction),
        jitterSeed: seed,
      };
    }),
    startLink: assign({
      links: ({ context }) => context.links + 1,
      heartbeatsSent: 0,
      heartbeatsAcked: 0,
      capabilities: [],
      reauths: 0,
      malformedFrames: 0,
    }),
    // What this authentication learned; a member's end seen on an earlier one proves nothing about this replay.
    recordLink: assign(({ event }) => {
      const { capabilities, lastEventId } = eventOf<'server.authSuccess'>(event);
      return {
        capabilities,
        resumeFrom: lastEventId,
        memberEndStatus: undefined,
        missedHeartbeats: 0,
      };
    }),
    holdFrames: sendTo('socket', ({ context }) => ({ type: 'holdFrames', limits: holdLimits(context) })),
    sequenceFrames: sendTo('socket', ({ context }) => ({
      type: 'sequenceFrames',
      limits: holdLimits(context),
    })),
    bufferFrames: sendTo('socket', ({ context }) => ({ type: 'bufferFrames', limits: holdLimits(context) })),
    releaseFrames: sendTo('socket', { type: 'releaseFrames' }),
    endReplay: sendTo('socket', { type: 'replayOver' }),
    probeLink: raise({ type: 'link.probe' }),
    markFlowing: raise({ type: 'link.flowing' }),
    countMiss: assign({ missedHeartbeats: ({ context }) => context.missedHeartbeats + 1 }),
    forgetMisses: assign({ missedHeartbeats: 0 }),
    recordMemberEnd: assign({
      memberEndStatus: ({ event }) => eventOf<'server.memberEnded'>(event).status,
    }),
    sendAuth: sendTo('socket', { type: 'auth' }),
    sendResume: sendTo('socket', ({ context }) => ({
      type: 'resume',
      wantStatus: context.config.wantStatus,
    })),
    sendHeartbeat: enqueueActions(({ enqueue }) => {
      enqueue.sendTo('socket', { type: 'heartbeat' });
      enqueue.assign({ heartbeatsSent: ({ context }) => context.heartbeatsSent + 1 });
    }),
    countAck: enqueueActions(({ context, enqueue }) => {
      const acked = context.heartbeatsAcked + 1;
      const confirmed = context.inFlight.filter((command) => command.confirmedAtAck <= acked);
      for (const { commandId, frame } of confirmed) {
        enqueue.emit({ type: 'commandConfirmed', command: { commandId, frame } });
      }
      enqueue.assign({
        heartbeatsAcked: acked,
        inFlight: context.inFlight.filter((command) => command.confirmedAtAck > acked),
      });
    }),
    // Raised after closing the socket, so the close code is chosen before the retry decision runs.
    declareLinkLost: raise({ type: 'link.lost' }),
    closeOnExit: sendTo('socket', { type: 'close', code: 1000, reason: 'Client disconnect' }),
    closeOnConnectTimeout: sendTo('socket', { type: 'close', code: 4000, reason: 'Connect timeout' }),
    closeOnAuthTimeout: sendTo('socket', { type: 'close', code: 4000, reason: 'Auth timeout' }),
    closeOnTokenFailure: sendTo('socket', { type: 'close', code: 4000, reason: 'Token unavailable' }),
    closeOnHeartbeatTimeout: sendTo('socket', { type: 'close', code: 4000, reason: 'Heartbeat timeout' }),
    closeOnReplayTimeout: sendTo('socket', {
      type: 'close',
      code: 4000,
      reason: 'Replay did not end in time',
    }),
    closeOnHoldOverflow: sendTo('socket', { type: 'close', code: 4000, reason: 'Replay too large to hold' }),
    closeOnReauthLimit: sendTo('socket', {
      type: 'close',
      code: 4000,
      reason: 'Too many re-authentications',
    }),
    closeOnMalformedFlood: sendTo('socket', {
      type: 'close',
      code: 4000,
      reason: 'Too many malformed frames',
    }),
    // Writes commands in order; the ack of the next heartbeat proves (the gateway handles a socket's
    // frames in order) that the gateway read them. Where re-sending depends on it (`command_id`), a
    // heartbeat is written at once; any other gateway gets its heartbeats at the interval only.
    writeCommands: enqueueActions(({ context, event, enqueue }) => {
      const commands = event.type === 'user.command' ? [event.command] : context.outbox;
      if (commands.length === 0) return;
      const confirmedAtAck = context.heartbeatsSent + 1;
      // To a gateway that did not announce `command_id`, exactly the original's frame.
      const withIds = announces(context, 'command_id');
      for (const command of commands) {
        const { commandId, frame } = command;
        enqueue.sendTo('socket', {
          type: 'command',
          commandId,
          frame: withIds ? { ...frame, commandId } : frame,
        });
        enqueue.emit({ type: 'commandWritten', command });
      }
      enqueue.assign({
        outbox: event.type === 'user.command' ? context.outbox : [],
        inFlight: [...context.inFlight, ...commands.map((command) => ({ ...command, confirmedAtAck }))],
      });
      if (withIds) enqueue.raise({ type: 'link.probe' });
    }),
    enqueueCommand: assign({
      outbox: ({ context, event }) => [...context.outbox, eventOf<'user.command'>(event).command],
    }),
    dropOldestCommand: enqueueActions(({ context, enqueue }) => {
      const [oldest, ...rest] = context.outbox;
      if (oldest === undefined) return;
      enqueue.emit({ type: 'commandDropped', command: oldest, reason: 'outboxFull' });
      enqueue.assign({ outbox: rest });
    }),
    refuseWhileDisconnected: enqueueActions(({ event, enqueue }) => {
      const { command } = eventOf<'user.command'>(event);
      enqueue.assign({ refused: { commandId: command.commandId, reason: 'notConnected' } });
      enqueue.emit({ type: 'commandRejected', command, reason: 'notConnected' });
    }),
    refuseOutboxFull: enqueueActions(({ event, enqueue }) => {
      const { command } = eventOf<'user.command'>(event);
      enqueue.assign({ refused: { commandId: command.commandId, reason: 'outboxFull' } });
      enqueue.emit({ type: 'commandRejected', command, reason: 'outboxFull' });
    }),
    // The adapter could not write it (the socket was already closing): it goes back to the outbox,
    // ahead of anything issued after it, so the next link (or the end of the session) deals with it.
    requeueUnsent: enqueueActions(({ context, event, enqueue }) => {
      const { commandId } = eventOf<'socket.commandUnsent'>(event);
      const unsent = context.inFlight.find((command) => command.commandId === commandId);
      if (unsent === undefined) return;
      const command = { commandId: unsent.commandId, frame: unsent.frame };
      enqueue.assign({
        inFlight: context.inFlight.filter((other) => other !== unsent),
        outbox: [...context.outbox, command],
      });
      enqueue.emit({ type: 'commandUnsent', command });
    }),
    // Only on the way to another link: commands written to a link that died unconfirmed go back to the
    // front of the outbox, since the gateway may never have read them. They keep their commandId, so a
    // gateway that did read them applies them once.
    requeueInFlight: assign(({ context }) => ({
      outbox: [...context.inFlight.map(({ commandId, frame }) => ({ commandId, frame })), ...context.outbox],
      inFlight: [],
    })),
    // A gateway that cannot deduplicate might apply a re-sent command twice: commands whose link died
    // unconfirmed are reported instead, so the app decides.
    reportUnconfirmed: enqueueActions(({ context, enqueue }) => {
      for (const { commandId, frame } of context.inFlight)
        enqueue.emit({ type: 'commandUnconfirmed', command: { commandId, frame } });
      enqueue.assign({ inFlight: [] });
    }),
    // The session ended: commands never written are reported dropped. Commands written to this
    // authenticated link but not yet confirmed are let go quietly: the gateway most likely applied
    // them, and there is no link left to find out.
    dropQueuedCommands: enqueueActions(({ context, enqueue }) => {
      for (const command of context.outbox)
        enqueue.emit({ type: 'commandDropped', command, reason: 'sessionEnded' });
      enqueue.assign({ outbox: [], inFlight: [] });
    }),
    recordClose: assign({
      lastClose: ({ event, context }) =>
        event.type === 'socket.closed' ? { code: event.code, reason: event.reason } : context.lastClose,
    }),
    recordAuthFailure: assign({
      authFailure: ({ event, context }) =>
        event.type === 'server.authFailed' ? event.reason : context.authFailure,
    }),
    emitConnected: emit({ type: 'connected' }),
    emitOperationEnded: emit({ type: 'operationEnded' }),
    emitAuthExpired: emit({ type: 'authExpired' }),
    emitDisconnected: emit({ type: 'disconnected' }),
    emitReconnecting: emit(({ context }) => ({
      type: 'reconnecting' as const,
      delayMs: context.retryDelayMs,
      attempt: context.attempt,
    })),
    emitAuthFailed: emit(({ event }) => ({
      type: 'authFailed' as const,
      reason: eventOf<'server.authFailed'>(event).reason,
    })),
    emitGaveUp: emit(({ context }) => ({ type: 'gaveUp' as const, attempts: context.attempt })),
    emitClosedByGateway: emit(({ event }) => {
      const { code, reason } = eventOf<'socket.closed'>(event);
      return { type: 'closedByGateway' as const, code, reason };
    }),
    emitRefused: emit(({ event }) => {
      const { status, message } = eventOf<'socket.refused'>(event);
      return { type: 'refused' as const, status, message };
    }),
    emitResumed: emit(({ event }) => ({
      type: 'resumed' as const,
      status: eventOf<'server.resumeComplete'>(event).message.status,
    })),
    // Said out loud when the gateway could not replay from where the client stopped (the extension's
    // `recovered: false`): events in between are gone, and the view is rebuilt from the replay.
    reportHistoryLoss: enqueueActions(({ event, enqueue }) => {
      const { message } = eventOf<'server.resumeComplete'>(event);
      if (message.recovered === false || message.gap === true)
        enqueue.emit({ type: 'historyLost', status: message.status });
    }),
    emitSessionComplete: emit(({ event }) => ({
      type: 'sessionComplete' as const,
      message: eventOf<'server.sessionComplete' | 'server.resumeComplete'>(event).message,
    })),
    emitLinkError: emit(({ event }) => ({
      type: 'linkError' as const,
      message: eventOf<'socket.error' | 'socket.tokenFailed' | 'socket.refused'>(event).message,
    })),
    // A crashed adapter is reported like a socket error, never left to take the whole client down.
    emitActorFailure: emit(({ event }) => {
      const error = (event as { error?: unknown }).error;
      const reason = error instanceof Error ? error.message : String(error);
      return {
        type: 'linkError' as const,
        message: `${event.type.replace('xstate.error.actor.', '')} failed: ${reason}`,
      };
    }),
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({
    config: { ...DEFAULT_CONNECTION_CONFIG, ...input.config },
    chatKey: '',
    conversation: 0,
    // A seed, not a function: the context stays plain data (inspector, persisted snapshots).
    jitterSeed: input.jitterSeed ?? Math.floor(Math.random() * 4_294_967_296),
    attempt: 0,
    retryDelayMs: 0,
    outbox: [],
    inFlight: [],
    refused: undefined,
    reauths: 0,
    malformedFrames: 0,
    heartbeatsSent: 0,
    heartbeatsAcked: 0,
    capabilities: [],
    resumeFrom: '',
    links: 0,
    missedHeartbeats: 0,
    memberEndStatus: undefined,
    lastClose: undefined,
    authFailure: undefined,
  }),
  invoke: { id: 'environment', src: 'environment', onError: { actions: 'emitActorFailure' } },
  initial: 'disconnected',
  // "Any active state" rows of the table; `disconnected` overrides both.
  on: {
    'user.disconnect': {
      target: '.disconnected.userDisconnect',
      actions: ['dropQueuedCommands', 'emitDisconnected'],
    },
    'user.command': [
      { guard: 'shouldDropOldest', actions: ['dropOldestCommand', 'enqueueCommand'] },
      { guard: 'isOutboxFull', actions: 'refuseOutboxFull' },
      { actions: 'enqueueCommand' },
    ],
  },
  states: {
    disconnected: {
      initial: 'idle',
      on: {
        'user.connect': { target: 'link', actions: ['startSession', 'emitSessionStarted'] },
        'user.command': { actions: 'refuseWhileDisconnected' },
        'user.disconnect': {},
      },
      states: {
        idle: {},
        userDisconnect: {},
        authFailed: {},
        sessionComplete: {},
        terminalClose: {},
        refused: {},
        gaveUp: {
          on: {
            'user.reconnect': { target: '#connection.link', actions: 'resetAttempts' },
            'env.online': { target: '#connection.link', actions: 'resetAttempts' },
            'env.visible': { target: '#connection.link', actions: 'resetAttempts' },
            'user.disconnect': 'userDisconnect',
          },
        },
        linkLost: {
          on: {
            'user.reconnect': { target: '#connection.link', actions: 'resetAttempts' },
            'user.disconnect': 'userDisconnect',
          },
        },
      },
    },
    link: {
      invoke: {
        id: 'socket',
        src: 'socket',
        input: ({ context }) => ({ chatKey: context.chatKey }),
        onError: { target: '#connection.linkEnded', actions: 'emitActorFailure' },
      },
      entry: 'startLink',
      exit: 'closeOnExit',
      initial: 'connecting',
      on: {
        'socket.closed': [
          {
            guard: 'isTerminalClose',
            target: '#connection.disconnected.terminalClose',
            actions: ['recordClose', 'emitClosedByGateway', 'dropQueuedCommands', 'emitDisconnected'],
          },
          { target: '#connection.linkEnded', actions: 'recordClose' },
        ],
        'link.lost': '#connection.linkEnded',
        'socket.error': { actions: 'emitLinkError' },
        'socket.commandUnsent': { actions: 'requeueUnsent' },
        // Redial now (LobeHub's `reconnect()`, e.g. after `updateToken`), with a fresh attempt series.
        'user.reconnect': '#connection.redialing',
        // Also while re-authenticating: a gateway may finish the session before it answers the auth.
        'server.sessionComplete': [
          // LobeHub: a gateway that ends a session on any end answers a group member's with one.
          { guard: 'isEchoOfMemberEnd' },
          {
            target: '#connection.disconnected.sessionComplete',
            actions: ['emitSessionComplete', 'dropQueuedCommands', 'emitDisconnected'],
          },
        ],
        'server.operationEnded': {
          target: '#connection.disconnected.sessionComplete',
          actions: ['emitOperationEnded', 'dropQueuedCommands', 'emitDisconnected'],
        },
      },
      states: {
        connecting: {
          on: {
            'socket.open': [
              { guard: 'resetsBackoffOnOpen', target: 'authenticating', actions: 'resetAttempts' },
              { target: 'authenticating' },
            ],
            'socket.refused': [
              // A wrong URL or wrong credentials: retrying would be refused the same way.
              {
                guard: 'isFinalRefusal',
                target: '#connection.disconnected.refused',
                actions: ['emitRefused', 'dropQueuedCommands', 'emitDisconnected'],
              },
              // Anything else (503, 429, a proxy's 502) may pass on a retry: the close that follows loses the link.
              { actions: 'emitLinkError' },
            ],
          },
          after: { connectTimeout: { actions: ['closeOnConnectTimeout', 'declareLinkLost'] } },
        },
        authenticating: {
          entry: 'sendAuth',
          on: {
            'server.authSuccess': { target: 'connected', actions: 'recordLink' },
            'server.authFailed': {
              target: '#connection.disconnected.authFailed',
              actions: ['recordAuthFailure', 'emitAuthFailed', 'dropQueuedCommands', 'emitDisconnected'],
            },
            'socket.tokenFailed': { actions: ['emitLinkError', 'closeOnTokenFailure', 'declareLinkLost'] },
            // Re-authenticating after auth_expired: acks of earlier heartbeats still arrive on this socket.
            // An ack nobody asked for is ignored: counting it would confirm later commands too early.
            'server.heartbeatAck': { guard: 'hasUnackedHeartbeats', actions: 'countAck' },
          },
          after: { authTimeout: { actions: ['closeOnAuthTimeout', 'declareLinkLost'] } },
        },
        connected: {
          type: 'parallel',
          entry: 'emitConnected',
          on: {
            'server.authExpired': [
              // LobeHub's client tells the app, which calls `updateToken` and `reconnect`.
              { guard: not('reauthenticatesOnExpiry'), actions: 'emitAuthExpired' },
              // A gateway that answers every auth with auth_expired must not make the client spin.
              { guard: 'isReauthLimitReached', actions: ['closeOnReauthLimit', 'declareLinkLost'] },
              { target: 'authenticating', actions: 'countReauth' },
            ],
            'user.command': { actions: 'writeCommands' },
          },
          states: {
            replay: {
              initial: 'choosing',
              states: {
                // Transient: how the replay is asked for and how its end is known depend on the gateway.
                choosing: {
                  always: [
                    {
                      guard: 'gatewayOrdersReplay',
                      target: 'resuming',
                      actions: ['sendResume', 'writeCommands'],
                    },
                    {
                      guard: 'buffersOnConnect',
                      target: 'buffering',
                      actions: ['sendResume', 'writeCommands'],
                    },
                    { guard: 'isLobeHub', target: 'sequencing', actions: ['sendResume', 'writeCommands'] },
                    {
                      guard: 'mayHaveMissedEvents',
                      target: 'ordering',
                      actions: ['sendResume', 'writeCommands'],
                    },
                    // The original gateway, a first link: exactly as its own client, no resume.
                    { target: 'live', actions: 'writeCommands' },
                  ],
                },
                // Frames are delivered as they come, each id once, until `resume_complete` (never,
                // if `wantStatus` is off).
                resuming: {
                  entry: 'markFlowing',
                  on: {
                    'server.resumeComplete': [
                      endSessionOnTerminalStatus,
                      { target: 'live', actions: ['emitResumed', 'reportHistoryLoss'] },
                    ],
                  },
                },
                // A gateway that announced nothing streams live events before its replay, which the
                // replay repeats: frames are held until a heartbeat written after `resume` is
                // acknowledged (or a `resume_complete` arrives), then delivered once, in order.
                // Bounded: past `replayTimeoutMs` (frames do not extend it) or the hold limits, the
                // link is dropped and retried.
                ordering: {
                  entry: ['holdFrames', 'probeLink'],
                  initial: 'waiting',
                  on: {
                    'server.heartbeatAck': {
                      guard: 'isAckOfLatestHeartbeat',
                      target: 'live',
                      actions: 'releaseFrames',
                    },
                    'server.replayEnded': releaseAndGoLive,
                  },
                  states: {
                    waiting: {
                      after: { replayTimeout: { actions: ['closeOnReplayTimeout', 'declareLinkLost'] } },
                      on: {
                        'socket.holdOverflow': { actions: ['closeOnHoldOverflow', 'declareLinkLost'] },
                        'server.sessionEndHeld': 'sessionEnding',
                      },
                    },
                    // The session ended within what is held: nothing live can follow, so a gateway
                    // that closes (or stops answering) now leaves the whole rest of the session held.
                    sessionEnding: {
                      after: { replayTimeout: releaseAndGoLive },
                      on: {
                        'socket.closed': { actions: 'releaseFrames' },
                        'socket.holdOverflow': releaseAndGoLive,
                      },
                    },
                  },
                },
                // LobeHub: ids are a sequence, so a frame is delivered as soon as the one before it
                // was; one that comes early is held until the replay ends (`resume_complete`), the
                // timeout or the limits, then everything held is delivered in id order.
                sequencing: {
                  entry: 'sequenceFrames',
                  after: { replayTimeout: releaseAndGoLive },
                  on: {
                    'server.replayEnded': releaseAndGoLive,
                    'socket.holdOverflow': releaseAndGoLive,
                  },
                },
                // LobeHub's `resumeOnConnect` (a page reload): every frame is held until
                // `resume_complete` or `resumeQuietMs` without one, then delivered once, in order. The
                // session's end is delivered at once, with everything before it.
                buffering: {
                  entry: 'bufferFrames',
                  initial: 'listening',
                  after: { replayTimeout: releaseAndGoLive },
                  on: {
                    'server.replayEnded': releaseAndGoLive,
                    'socket.holdOverflow': releaseAndGoLive,
                    'server.sessionEndHeld': releaseAndGoLive,
                  },
                  states: {
                    listening: {
                      after: { resumeQuiet: releaseAndGoLive },
                      on: { 'socket.frameHeld': { target: 'listening', reenter: true } },
                    },
                  },
                },
                // The replay is over: each event is new. Honours a `resume_complete` that comes anyway
                // (upstream's later gateway answers `wantStatus`; LobeHub's always).
                // A re-authentication that got this far was not a spin: the count starts over.
                live: {
                  entry: ['endReplay', 'resetReauths', 'markFlowing'],
                  on: {
                    'server.resumeComplete': [
                      ignoreStaleStatus,
                      endSessionOnTerminalStatus,
                      { actions: ['emitResumed', 'reportHistoryLoss'] },
                    ],
                  },
                },
              },
            },
            heartbeat: {
              initial: 'choosing',
              states: {
                // Transient: LobeHub's clients count missed acks; the original's waits for each ack.
                choosing: {
                  always: [{ guard: 'isLobeHub', target: 'counting' }, { target: 'idle' }],
                },
                // LobeHub: a heartbeat every interval; past `maxMissedHeartbeats` unacknowledged in a
                // row, the link is declared dead.
                counting: {
                  after: {
                    heartbeatInterval: [
                      {
                        guard: 'isMissLimitReached',
                        actions: ['closeOnHeartbeatTimeout', 'declareLinkLost'],
                      },
                      { target: 'counting', reenter: true, actions: ['countMiss', 'sendHeartbeat'] },
                    ],
                  },
                  on: {
                    'server.heartbeatAck': [
                      { guard: 'hasUnackedHeartbeats', actions: ['countAck', 'forgetMisses'] },
                      { actions: 'forgetMisses' },
                    ],
                  },
                },
                idle: {
                  after: { heartbeatInterval: { target: 'awaitingAck', actions: 'sendHeartbeat' } },
                  on: {
                    'link.probe': { target: 'awaitingAck', actions: 'sendHeartbeat' },
                    'server.heartbeatAck': { guard: 'hasUnackedHeartbeats', actions: 'countAck' },
                  },
                },
                awaitingAck: {
                  after: { heartbeatTimeout: { actions: ['closeOnHeartbeatTimeout', 'declareLinkLost'] } },
                  on: {
                    'socket.alive': 'idle',
                    'link.probe': { actions: 'sendHeartbeat' },
                    'server.heartbeatAck': [
                      {
                        guard: 'hasOtherUnackedHeartbeats',
                        target: 'awaitingAck',
                        reenter: true,
                        actions: 'countAck',
                      },
                      { target: 'idle', actions: 'countAck' },
                    ],
                  },
                },
              },
            },
            // A link that floods malformed frames is dropped (and retried, with backoff).
            garbage: {
              initial: 'none',
              states: {
                none: {
                  entry: 'forgetMalformed',
                  on: { 'socket.malformedFrame': { target: 'counting', actions: 'countMalformed' } },
                },
                counting: {
                  after: { malformedWindow: 'none' },
                  on: {
                    'socket.malformedFrame': [
                      { guard: 'isMalformedFlood', actions: ['closeOnMalformedFlood', 'declareLinkLost'] },
                      { actions: 'countMalformed' },
                    ],
                  },
                },
              },
            },
            // Attempts start over once frames have flowed for `minUptimeMs`: a link dropped while it
            // holds frames (or before) has not proved itself.
            uptime: {
              initial: 'waiting',
              states: {
                waiting: { on: { 'link.flowing': 'unproven' } },
                unproven: { after: { minUptime: { target: 'proven', actions: 'resetAttempts' } } },
                proven: {},
              },
            },
            // LobeHub: a group member's end opens a window in which a session end is its echo.
            memberEcho: {
              initial: 'none',
              states: {
                none: { on: { 'server.memberEnded': { target: 'window', actions: 'recordMemberEnd' } } },
                window: {
                  after: { memberEchoWindow: 'none' },
                  on: {
                    'server.memberEnded': { target: 'window', reenter: true, actions: 'recordMemberEnd' },
                    'server.operationActive': 'none',
                  },
                },
              },
            },
          },
        },
      },
    },
    // Transient: commands written to the lost link and not confirmed are settled once, by what its
    // gateway announced.
    linkEnded: {
      always: [
        { guard: 'gatewayDedupsCommands', target: 'retryDecision', actions: 'requeueInFlight' },
        { target: 'retryDecision', actions: 'reportUnconfirmed' },
      ],
    },
    // Transient: `reconnect()` on a live link redials at once; its unconfirmed commands are settled as when a link is lost.
    redialing: {
      always: [
        { guard: 'gatewayDedupsCommands', target: 'link', actions: ['requeueInFlight', 'resetAttempts'] },
        { target: 'link', actions: ['reportUnconfirmed', 'resetAttempts'] },
      ],
    },
    // Transient: every way of losing a link (close, timeouts, token failure) is decided here, once.
    retryDecision: {
      always: [
        {
          guard: not('canReconnect'),
          target: 'disconnected.linkLost',
          actions: ['dropQueuedCommands', 'emitDisconnected'],
        },
        {
          guard: 'isMaxAttemptsReached',
          target: 'disconnected.gaveUp',
          actions: ['dropQueuedCommands', 'emitDisconnected', 'emitGaveUp'],
        },
        { target: 'reconnecting', actions: ['scheduleRetry', 'emitReconnecting'] },
      ],
    },
    reconnecting: {
      after: { backoff: 'link' },
      on: {
        // The user's own reconnect starts a fresh series (LobeHub's `reconnect()` resets its backoff).
        'user.reconnect': { target: 'link', actions: 'resetAttempts' },
        'env.online': 'link',
        'env.visible': 'link',
      },
    },
  },
});

/** The connection machine's type, for typing actors and snapshots. */
export type ConnectionMachine = typeof connectionMachine;
