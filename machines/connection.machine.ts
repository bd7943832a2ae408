import { assertEvent, assign, emit, enqueueActions, fromCallback, not, raise, sendTo, setup } from 'xstate';
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
  'idle' | 'userDisconnect' | 'authFailed' | 'gaveUp' | 'sessionComplete' | 'terminalClose' | 'linkLost';

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
  | { type: 'socket.alive' }
  | { type: 'socket.tokenFailed'; message: string }
  | { type: 'socket.commandUnsent'; commandId: string }
  | { type: 'socket.malformedFrame' }
  | { type: 'server.authSuccess'; capabilities: readonly string[] }
  | { type: 'server.authFailed'; reason: string }
  | { type: 'server.authExpired' }
  | { type: 'server.heartbeatAck' }
  | { type: 'server.resumeComplete'; message: ResumeCompleteMessage }
  | { type: 'server.replayEnded' }
  | { type: 'server.sessionComplete'; message: SessionCompleteMessage }
  | { type: 'link.lost' }
  | { type: 'link.probe' };

/** Commands the machine gives the socket adapter. */
export type SocketCommand =
  | { type: 'auth' }
  | { type: 'resume'; wantStatus: boolean }
  | { type: 'heartbeat' }
  /** Write `frame` (with the commandId only where the gateway deduplicates by it). */
  | { type: 'command'; commandId: string; frame: CommandFrame }
  /** Hold session frames from now on (the replay's end is not marked by the gateway). */
  | { type: 'holdFrames' }
  /** The replay is over: deliver the held frames, each once and in the gateway's order, then stop holding. */
  | { type: 'releaseFrames' }
  /** The replay is over: what follows is live, each event new (ids need no lookup any more). */
  | { type: 'replayOver' }
  /** The link left its live phase (re-authentication): ids are looked up again. */
  | { type: 'replayPossible' }
  | { type: 'close'; code: number; reason: string };

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
  | { type: 'linkError'; message: string }
  | { type: 'gaveUp'; attempts: number }
  | { type: 'closedByGateway'; code: number; reason: string }
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

/** Whether the gateway of the current link announced an extension. */
function announces(context: ConnectionContext, capability: GatewayCapability): boolean {
  return context.capabilities.includes(capability);
}

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
    isTerminalStatus: ({ event }) =>
      event.type === 'server.resumeComplete' && TERMINAL_SESSION_STATUSES.includes(event.message.status),
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
  },
  actions: {
    startSession: assign(({ event, context }) => {
      assertEvent(event, 'user.connect');
      // The first chatKey continues the conversation the client was created for (its `lastEventId`).
      const another = context.chatKey !== '' && event.chatKey !== context.chatKey;
      return {
        chatKey: event.chatKey,
        conversation: another ? context.conversation + 1 : context.conversation,
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
      heartbeatsSent: 0,
      heartbeatsAcked: 0,
      capabilities: [],
      reauths: 0,
      malformedFrames: 0,
    }),
    recordCapabilities: assign({
      capabilities: ({ event }) => {
        assertEvent(event, 'server.authSuccess');
        return event.capabilities;
      },
    }),
    holdFrames: sendTo('socket', { type: 'holdFrames' }),
    releaseFrames: sendTo('socket', { type: 'releaseFrames' }),
    endReplay: sendTo('socket', { type: 'replayOver' }),
    expectReplay: sendTo('socket', { type: 'replayPossible' }),
    probeLink: raise({ type: 'link.probe' }),
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
    // Writes commands in order; the heartbeat probe raised after them proves (by its ack, since the
    // gateway handles a socket's frames in order) that the gateway read them.
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
      enqueue.raise({ type: 'link.probe' });
    }),
    enqueueCommand: assign({
      outbox: ({ context, event }) => {
        assertEvent(event, 'user.command');
        return [...context.outbox, event.command];
      },
    }),
    dropOldestCommand: enqueueActions(({ context, enqueue }) => {
      const [oldest, ...rest] = context.outbox;
      if (oldest === undefined) return;
      enqueue.emit({ type: 'commandDropped', command: oldest, reason: 'outboxFull' });
      enqueue.assign({ outbox: rest });
    }),
    refuseWhileDisconnected: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'user.command');
      enqueue.assign({ refused: { commandId: event.command.commandId, reason: 'notConnected' } });
      enqueue.emit({ type: 'commandRejected', command: event.command, reason: 'notConnected' });
    }),
    refuseOutboxFull: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'user.command');
      enqueue.assign({ refused: { commandId: event.command.commandId, reason: 'outboxFull' } });
      enqueue.emit({ type: 'commandRejected', command: event.command, reason: 'outboxFull' });
    }),
    // The adapter could not write it (the socket was already closing): it goes back to the outbox,
    // ahead of anything issued after it, so the next link (or the end of the session) deals with it.
    requeueUnsent: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'socket.commandUnsent');
      const unsent = context.inFlight.find((command) => command.commandId === event.commandId);
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
    emitDisconnected: emit({ type: 'disconnected' }),
    emitReconnecting: emit(({ context }) => ({
      type: 'reconnecting' as const,
      delayMs: context.retryDelayMs,
      attempt: context.attempt,
    })),
    emitAuthFailed: emit(({ event }) => {
      assertEvent(event, 'server.authFailed');
      return { type: 'authFailed' as const, reason: event.reason };
    }),
    emitGaveUp: emit(({ context }) => ({ type: 'gaveUp' as const, attempts: context.attempt })),
    emitClosedByGateway: emit(({ event }) => {
      assertEvent(event, 'socket.closed');
      return { type: 'closedByGateway' as const, code: event.code, reason: event.reason };
    }),
    emitResumed: emit(({ event }) => {
      assertEvent(event, 'server.resumeComplete');
      return { type: 'resumed' as const, status: event.message.status };
    }),
    // Said out loud when the gateway could not replay from where the client stopped (the extension's
    // `recovered: false`): events in between are gone, and the view is rebuilt from the replay.
    reportHistoryLoss: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'server.resumeComplete');
      if (event.message.recovered === false)
        enqueue.emit({ type: 'historyLost', status: event.message.status });
    }),
    emitSessionComplete: emit(({ event }) => {
      assertEvent(event, ['server.sessionComplete', 'server.resumeComplete']);
      return { type: 'sessionComplete' as const, message: event.message };
    }),
    emitLinkError: emit(({ event }) => {
      assertEvent(event, ['socket.error', 'socket.tokenFailed']);
      return { type: 'linkError' as const, message: event.message };
    }),
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
        // Also while re-authenticating: a gateway may finish the session before it answers the auth.
        'server.sessionComplete': {
          target: '#connection.disconnected.sessionComplete',
          actions: ['emitSessionComplete', 'dropQueuedCommands', 'emitDisconnected'],
        },
      },
      states: {
        connecting: {
          on: { 'socket.open': 'authenticating' },
          after: { connectTimeout: { actions: ['closeOnConnectTimeout', 'declareLinkLost'] } },
        },
        authenticating: {
          entry: 'sendAuth',
          on: {
            'server.authSuccess': {
              target: 'connected',
              actions: ['recordCapabilities', 'sendResume', 'writeCommands'],
            },
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
            // A gateway that answers every auth with auth_expired must not make the client spin.
            'server.authExpired': [
              { guard: 'isReauthLimitReached', actions: ['closeOnReauthLimit', 'declareLinkLost'] },
              { target: 'authenticating', actions: 'countReauth' },
            ],
            'user.command': { actions: 'writeCommands' },
          },
          states: {
            replay: {
              initial: 'choosing',
              states: {
                // Transient: how the end of the replay is known depends on what the gateway announced.
                choosing: {
                  always: [{ guard: 'gatewayOrdersReplay', target: 'resuming' }, { target: 'ordering' }],
                },
                // Frames are delivered as they come, each id once, until `resume_complete` (never,
                // if `wantStatus` is off: then every frame of the link is checked).
                resuming: {
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
                ordering: {
                  entry: ['holdFrames', 'probeLink'],
                  on: {
                    'server.heartbeatAck': {
                      guard: 'isAckOfLatestHeartbeat',
                      target: 'live',
                      actions: 'releaseFrames',
                    },
                    'server.replayEnded': { target: 'live', actions: 'releaseFrames' },
                  },
                },
                // The replay is over: each event is new. Honours a `resume_complete` that comes anyway
                // (upstream's later gateway answers `wantStatus`).
                // A re-authentication that got this far was not a spin: the count starts over.
                live: {
                  entry: ['endReplay', 'resetReauths'],
                  exit: 'expectReplay',
                  on: {
                    'server.resumeComplete': [
                      endSessionOnTerminalStatus,
                      { actions: ['emitResumed', 'reportHistoryLoss'] },
                    ],
                  },
                },
              },
            },
            heartbeat: {
              initial: 'idle',
              states: {
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
            uptime: {
              initial: 'unproven',
              states: {
                unproven: { after: { minUptime: { target: 'proven', actions: 'resetAttempts' } } },
                proven: {},
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
        'user.reconnect': 'link',
        'env.online': 'link',
        'env.visible': 'link',
      },
    },
  },
});

/** The connection machine's type, for typing actors and snapshots. */
export type ConnectionMachine = typeof connectionMachine;
