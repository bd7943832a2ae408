import {
  AgentGatewayClient,
  type AgentGatewayClientEvents,
  type AgentGatewayClientOptions,
  type ClientError,
  type CommandReceipt,
  type ConnectionContext,
} from 'agent-gateway-client';
import { lobehubDialect } from 'agent-gateway-client/lobehub';
import { isDeepStrictEqual } from 'node:util';
import type { AnyEventObject, AnyMachineSnapshot, InspectionEvent } from 'xstate';

import { installFakeEnvironment } from '../support/browser.js';
import { FakeSocket } from '../support/fakeSocket.js';
import {
  BROKEN_ENVIRONMENT,
  BROKEN_SOCKET,
  ConnectionOracle,
  type GatewayFrame,
  MALFORMED_WINDOW_MS,
  type OracleConfig,
  SESSION_KEY,
  type Stimulus,
  type TimerName,
  type Told,
} from './support/connectionOracle.js';
import { RecordingClock } from './support/recordingClock.js';

/** Distinct durations, so firing "the pending N ms timeout" fires exactly one delayed transition. */
const DELAY_MS = {
  connectTimeout: 1_001,
  authTimeout: 1_002,
  heartbeatInterval: 1_003,
  heartbeatTimeout: 1_004,
  minUptime: 1_005,
  replayTimeout: 1_007,
  resumeQuiet: 1_008,
  memberEchoWindow: 1_009,
  // Fixed by the client (one second), not an option: already distinct from the others.
  malformedWindow: MALFORMED_WINDOW_MS,
} as const;

const timing = {
  connectTimeoutMs: DELAY_MS.connectTimeout,
  authTimeoutMs: DELAY_MS.authTimeout,
  heartbeatIntervalMs: DELAY_MS.heartbeatInterval,
  heartbeatTimeoutMs: DELAY_MS.heartbeatTimeout,
  minUptimeMs: DELAY_MS.minUptime,
  replayTimeoutMs: DELAY_MS.replayTimeout,
  resumeQuietMs: DELAY_MS.resumeQuiet,
  memberEchoWindowMs: DELAY_MS.memberEchoWindow,
  // 1006 ms, then 2012 capped to 1800: a backoff that stops doubling, or ignores its cap, shows.
  initialReconnectDelayMs: 1_006,
  maxReconnectDelayMs: 1_800,
  reconnectJitter: 0,
  maxQueuedCommands: 1,
  // Three frames held pass the limit; the byte limit is the same machine event, tested by the unit tests.
  maxHeldFrames: 2,
  maxHeldBytes: 1_000_000_000,
};

/** The original protocol's rules that the two original configurations share. */
const original = {
  dialect: 'original',
  backoffReset: 'uptime',
  reauthOnExpiry: true,
  maxMissedHeartbeats: 3,
  resumeOnConnect: false,
} as const;

/**
 * Three configurations whose union reaches every guard branch. The two of the original protocol:
 * retry twice or not at all, drop oldest or reject, ask for `resume_complete` or not,
 * re-authentication and malformed-frame limits reached or not (both allow one re-authentication per
 * link, so both take a path through it; the malformed-frame limit is reached by the second frame of
 * a window in one, the third in the other). LobeHub's: its sequencing and `resumeOnConnect`
 * buffering, heartbeats counted as missed (the second miss is one too many), attempts reset when a
 * socket opens, `auth_expired` only told.
 */
export const CONFIGS = {
  retrying: {
    ...timing,
    ...original,
    autoReconnect: true,
    maxReconnectAttempts: 2,
    outboxOverflow: 'dropOldest',
    wantStatus: true,
    maxReauthsPerLink: 1,
    maxMalformedFramesPerSecond: 1,
  },
  noRetry: {
    ...timing,
    ...original,
    autoReconnect: false,
    maxReconnectAttempts: 1,
    outboxOverflow: 'rejectNew',
    wantStatus: false,
    maxReauthsPerLink: 1,
    maxMalformedFramesPerSecond: 2,
  },
  lobehub: {
    ...timing,
    dialect: 'lobehub',
    backoffReset: 'open',
    reauthOnExpiry: false,
    maxMissedHeartbeats: 1,
    resumeOnConnect: true,
    autoReconnect: true,
    maxReconnectAttempts: 0,
    outboxOverflow: 'dropOldest',
    wantStatus: true,
    maxReauthsPerLink: 1,
    maxMalformedFramesPerSecond: 1,
  },
} as const satisfies Record<string, OracleConfig & { maxHeldBytes: number; reconnectJitter: number }>;

export type ConfigName = keyof typeof CONFIGS;

/** The client's options for a configuration: LobeHub's dialect is an object the client is given. */
function clientOptions(config: ConfigName): Partial<AgentGatewayClientOptions> {
  const { dialect, ...rest } = CONFIGS[config];
  return dialect === 'lobehub' ? { ...rest, dialect: lobehubDialect } : rest;
}

/** What the reference gateway announces; the original gateway announces nothing. */
const ALL_CAPABILITIES = ['command_id', 'resume_complete', 'auth_expired'];
const command = { commandId: 'model', frame: { type: 'interrupt' } } as const;

/** The machine events tried in every state; crashes, delayed events and the dialects' own are added per state. */
const EVENTS: AnyEventObject[] = [
  { type: 'user.connect', chatKey: SESSION_KEY },
  { type: 'user.disconnect' },
  { type: 'user.reconnect' },
  { type: 'user.command', command },
  { type: 'env.online' },
  { type: 'env.visible' },
  { type: 'socket.open' },
  { type: 'socket.closed', code: 1006, reason: '' },
  { type: 'socket.closed', code: 4001, reason: 'Unauthorized' },
  { type: 'socket.error', message: 'boom' },
  // The upgrade refused: for good (a wrong URL), and for now (the gateway is overloaded).
  { type: 'socket.refused', status: 404, message: 'HTTP 404' },
  { type: 'socket.refused', status: 503, message: 'HTTP 503' },
  { type: 'socket.alive' },
  { type: 'socket.malformedFrame' },
  { type: 'socket.tokenFailed', message: 'Token provider failed: no token' },
  // Run as "the server's close frame arrives (CLOSING), then the user issues a command".
  { type: 'socket.commandUnsent', commandId: 'model' },
  { type: 'server.authSuccess', capabilities: ALL_CAPABILITIES, lastEventId: '' },
  // Nothing delivered yet (the original's first link), and something delivered (a cursor to resume from).
  { type: 'server.authSuccess', capabilities: [], lastEventId: '' },
  { type: 'server.authSuccess', capabilities: [], lastEventId: 'cursor' },
  { type: 'server.authFailed', reason: 'bad token' },
  { type: 'server.authExpired' },
  { type: 'server.heartbeatAck' },
  { type: 'server.resumeComplete', message: { type: 'resume_complete', status: 'running' } },
  { type: 'server.resumeComplete', message: { type: 'resume_complete', status: 'completed' } },
  // The gateway could not replay from where the client stopped.
  {
    type: 'server.resumeComplete',
    message: { type: 'resume_complete', status: 'running', recovered: false },
  },
  {
    type: 'server.resumeComplete',
    message: { type: 'resume_complete', status: 'completed', recovered: false },
  },
  { type: 'server.replayEnded' },
  { type: 'server.sessionComplete', message: { type: 'session_complete', id: 'end' } },
];

/** LobeHub's own: its name for lost history, its operation's end, a group member's end, and the operation alive after it. */
const LOBEHUB_EVENTS: AnyEventObject[] = [
  { type: 'server.resumeComplete', message: { type: 'resume_complete', status: 'completed', gap: true } },
  { type: 'server.operationEnded' },
  { type: 'server.memberEnded', status: 'completed' },
  { type: 'server.operationActive' },
];

const socketCrash = { type: 'xstate.error.actor.socket', error: new Error(BROKEN_SOCKET) };
const environmentCrash = { type: 'xstate.error.actor.environment', error: new Error(BROKEN_ENVIRONMENT) };

/** The replay state of a snapshot, by its top name, or undefined outside `connected`. */
function replayOf(snapshot: AnyMachineSnapshot): string | undefined {
  const value = snapshot.value as { link?: { connected?: { replay?: unknown } } };
  const replay = typeof value === 'object' ? value.link?.connected?.replay : undefined;
  return typeof replay === 'object' && replay !== null
    ? Object.keys(replay)[0]
    : (replay as string | undefined);
}

/**
 * Events to try in a state: the fixed ones, the delayed transitions of the active nodes, the crashes
 * where a real actor can crash (the socket adapter while it sets up its socket, the environment
 * watcher while the client is constructed), and what the gate reports where it holds frames.
 */
export function eventsFor(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const delayed = snapshot._nodes.flatMap((node) => node.after.map((t) => ({ type: t.eventType })));
  const crashes = [
    ...(snapshot.matches({ link: 'connecting' }) ? [socketCrash] : []),
    ...(snapshot.matches({ disconnected: 'idle' }) ? [environmentCrash] : []),
  ];
  const replay = replayOf(snapshot);
  const holding = replay === 'ordering' || replay === 'sequencing' || replay === 'buffering';
  const gate = [
    ...(holding ? [{ type: 'socket.holdOverflow' }] : []),
    ...(replay === 'ordering' || replay === 'buffering' ? [{ type: 'server.sessionEndHeld' }] : []),
    ...(replay === 'buffering' ? [{ type: 'socket.frameHeld' }] : []),
  ];
  const lobehub = (snapshot.context as ConnectionContext).config.dialect === 'lobehub';
  // A buffering gate holds LobeHub's events: what they mean is told when they are released.
  const linked =
    snapshot.matches({ link: 'authenticating' }) || (replay !== undefined && replay !== 'buffering');
  return [...EVENTS, ...(lobehub && linked ? LOBEHUB_EVENTS : []), ...gate, ...crashes, ...delayed];
}

/** A short name for the kind of an event of the tour: its type, or `after <delay>` for a delayed one. */
export function eventLabel(event: AnyEventObject): string {
  return event.type.startsWith('xstate.after.') ? `after ${event.type.split('.')[2]}` : event.type;
}

/** Every kind of event the tour tries (`eventLabel`), known before the graph is traversed. */
export const EVENT_LABELS = [
  ...new Set([...EVENTS, ...LOBEHUB_EVENTS].map(eventLabel)),
  'socket.holdOverflow',
  'server.sessionEndHeld',
  'socket.frameHeld',
  socketCrash.type,
  environmentCrash.type,
  ...[
    'connectTimeout',
    'authTimeout',
    'heartbeatInterval',
    'heartbeatTimeout',
    'minUptime',
    'backoff',
    'malformedWindow',
    'replayTimeout',
    'resumeQuiet',
    'memberEchoWindow',
  ].map((delay) => `after ${delay}`),
];

/**
 * States that behave alike: the state value and only what later behaviour depends on there (a
 * disconnected client starts every link afresh; a link's counters start at zero; attempts matter
 * in `connected` only as "some", since a link that proves itself resets them; the re-authentication
 * and malformed-frame counters only as "the next one hits the limit"). Attempts are capped one past
 * the limit, so the graph stays finite even for a machine that never gives up.
 */
export function serializeState(snapshot: AnyMachineSnapshot): string {
  const {
    attempt,
    outbox,
    inFlight,
    heartbeatsSent,
    heartbeatsAcked,
    capabilities,
    reauths,
    malformedFrames,
    links,
    missedHeartbeats,
    memberEndStatus,
    config,
  } = snapshot.context as ConnectionContext;
  if (snapshot.matches('disconnected')) return JSON.stringify([snapshot.value]);
  const attempts = Math.min(attempt, config.maxReconnectAttempts + 1);
  const queued = Math.min(outbox.length, 2);
  // Whether the socket is not the conversation's first: its auth_success then asks for a replay
  // (after a reconnect it never is, and once connected what matters is the replay's state).
  const later = links > 1;
  if (snapshot.matches('reconnecting')) return JSON.stringify([snapshot.value, attempts, queued]);
  if (snapshot.matches({ link: 'connecting' }))
    return JSON.stringify([snapshot.value, attempts, queued, later]);
  const link = [
    queued,
    inFlight.length > 0,
    Math.min(heartbeatsSent - heartbeatsAcked, 2),
    capabilities.length > 0,
    reauths >= config.maxReauthsPerLink,
    malformedFrames + 1 > config.maxMalformedFramesPerSecond,
    missedHeartbeats + 1 > config.maxMissedHeartbeats,
    memberEndStatus !== undefined,
  ];
  if (snapshot.matches({ link: 'authenticating' }))
    return JSON.stringify([snapshot.value, attempts, later, ...link]);
  return JSON.stringify([snapshot.value, attempt > 0, ...link]);
}

/**
 * Events tried one after another on one path where they leave the state as it was: all but those
 * whose real-world counterpart does more than the machine event (a resume_complete on the wire, a
 * command on a CLOSING socket), changes how the whole path runs (a failing token provider), or
 * crashes an actor.
 */
export function chainable(event: AnyEventObject): boolean {
  return ![
    'socket.tokenFailed',
    'socket.commandUnsent',
    'server.replayEnded',
    // A resume_complete the gate holds ends the replay, though the machine event alone changes nothing.
    'server.resumeComplete',
    'server.authSuccess',
    'socket.holdOverflow',
    'server.sessionEndHeld',
    'socket.frameHeld',
    'server.operationEnded',
    'server.memberEnded',
    'server.operationActive',
    socketCrash.type,
    environmentCrash.type,
  ].includes(event.type);
}

/** Frame ids handed out in one run, shared by the oracle and the client. */
interface Driver {
  frameId: number;
  lastAgentId: string | undefined;
}

const resumeRunning = { type: 'resume_complete', status: 'running' };

/**
 * What the world does for one machine event of a generated path. Server events become the frames a
 * gateway sends; an agent event while a replay may overlap what was delivered comes with a repeat
 * of the previous one, as a replay would send it. With LobeHub's gateway, ids are the next numbers of
 * the sequence, and events are in its shape: a group member's text for proof of life (it ends and
 * wakes nothing), the operation's or a member's `agent_runtime_end`, the operation's own text.
 */
function toStimulus(event: AnyEventObject, oracle: ConnectionOracle, driver: Driver): Stimulus {
  const frames = (...list: GatewayFrame[]): Stimulus => ({ type: 'frames', frames: list });
  const lobehub = oracle.config.dialect === 'lobehub';
  /** The id after `skip` more: LobeHub's next number (`skip` leaves a gap), or a fresh opaque one. */
  const newId = (skip = 0): string => {
    const next = lobehub ? oracle.nextSequence() : undefined;
    if (next !== undefined) return String(next + skip);
    return `f${++driver.frameId}`;
  };
  const agentEvent = (
    id: string,
    type = 'stream_chunk',
    operationId = 'member',
    data: object = {},
  ): GatewayFrame =>
    lobehub
      ? { type: 'agent_event', id, event: { type, data, operationId, stepIndex: 0, timestamp: 1 } }
      : { type: 'agent_event', id, event: { kind: 'thinking', content: '.' } };
  const proofOfLife = (): GatewayFrame[] => {
    const id = newId();
    const repeat = oracle.replayMayOverlap() && driver.lastAgentId !== undefined;
    const list = repeat ? [agentEvent(id), agentEvent(driver.lastAgentId as string)] : [agentEvent(id)];
    driver.lastAgentId = id;
    return list;
  };
  /** `count` events that go on hold: early ones (past a gap) when sequenced, else the next ones. */
  const held = (count: number): GatewayFrame[] => {
    const sequenced = oracle.replayState() === 'sequencing';
    const first = sequenced ? Number(newId(1)) : undefined;
    return Array.from({ length: count }, (_, i) =>
      agentEvent(first === undefined ? newId() : String(first + i)),
    );
  };
  const maxHeld = oracle.config.maxHeldFrames;
  switch (event.type) {
    case 'user.connect':
      return { type: 'connect' };
    case 'user.disconnect':
      return { type: 'disconnect' };
    case 'user.reconnect':
      return { type: 'reconnect' };
    case 'user.command':
      return { type: 'command' };
    case 'env.online':
      return { type: 'online' };
    case 'env.visible':
      return { type: 'visible' };
    case 'socket.open':
      return { type: 'open' };
    case 'socket.closed':
      return { type: 'serverClose', code: event.code as number, reason: event.reason as string };
    case 'socket.error':
      return { type: 'socketError', message: event.message as string };
    case 'socket.refused':
      return { type: 'refused', status: event.status as number };
    case 'socket.tokenFailed':
      return { type: 'rejectTokens' };
    case 'socket.malformedFrame':
      return { type: 'malformed', text: '{"type":"agent_event"' };
    case 'socket.commandUnsent':
      return { type: 'closingCommand' };
    case 'socket.alive':
      return frames(...proofOfLife());
    case 'socket.holdOverflow':
      return frames(...held(maxHeld + 1));
    case 'socket.frameHeld':
      return frames(...held(1));
    case 'server.sessionEndHeld':
      return frames({ type: 'session_complete', id: newId() });
    case 'server.operationEnded':
      return frames(agentEvent(newId(), 'agent_runtime_end', SESSION_KEY, { reason: 'done' }));
    case 'server.memberEnded':
      return frames(agentEvent(newId(), 'agent_runtime_end', 'member', { reason: 'done' }));
    case 'server.operationActive':
      return frames(agentEvent(newId(), 'stream_chunk', SESSION_KEY));
    case 'server.authSuccess': {
      const capabilities = event.capabilities as string[];
      const answer =
        capabilities.length > 0 ? { type: 'auth_success', capabilities } : { type: 'auth_success' };
      // A cursor is something delivered: an event arrives first when nothing was yet.
      if (event.lastEventId !== '' && oracle.lastEventId() === '') {
        const id = newId();
        driver.lastAgentId = id;
        return frames(agentEvent(id), answer);
      }
      return frames(answer);
    }
    case 'server.authFailed':
      return frames({ type: 'auth_failed', reason: event.reason as string });
    case 'server.authExpired':
      return frames({ type: 'auth_expired' });
    case 'server.heartbeatAck':
      return frames({ type: 'heartbeat_ack' });
    case 'server.resumeComplete': {
      const message = { ...(event.message as GatewayFrame) };
      const lost = message.recovered === false || message.gap === true;
      if (!lost || !oracle.replayMayOverlap()) return frames(message);
      // A replay that could not start where the client stopped: what the gateway still has (the last
      // event delivered again, then one the client never saw), then the marker.
      const replayed = driver.lastAgentId === undefined ? [] : [agentEvent(driver.lastAgentId)];
      const id = newId();
      driver.lastAgentId = id;
      return frames(...replayed, agentEvent(id), message);
    }
    case 'server.replayEnded':
      // On the wire the end of a replay is the same resume_complete.
      return frames({ ...resumeRunning });
    case 'server.sessionComplete':
      return frames({ type: 'session_complete', id: newId() });
    default:
      if (event.type.startsWith('xstate.after.'))
        return { type: 'timer', name: event.type.split('.')[2] as TimerName };
      // A crash is planted before the step that opened the socket (see planPath).
      if (event.type.startsWith('xstate.error.actor.')) return { type: 'nothing' };
      throw new Error(`No stimulus for ${event.type}`);
  }
}

interface Plan {
  brokenEnvironment: boolean;
  /** Steps whose new socket is a WebSocket that throws while the adapter sets it up. */
  breakSocketAt: Set<number>;
  /** Whether the token provider answers after each step, or holds (a later step makes it fail). */
  settle: Array<'resolve' | 'hold'>;
}

/**
 * How a path runs for real. An actor's crash is not an event anyone can send: the socket adapter
 * crashes when the socket it opened throws in a way it does not guard against, so the step that
 * opened that socket gets a broken one; the environment watcher crashes while the client is built.
 */
function planPath(path: AnyEventObject[], config: ConfigName): Plan {
  const settle = path.map((_, i) =>
    path.slice(i + 1).some((later) => later.type === 'socket.tokenFailed') ? 'hold' : 'resolve',
  );
  const plan: Plan = {
    brokenEnvironment: path[0]?.type === environmentCrash.type,
    breakSocketAt: new Set(),
    settle,
  };
  path.forEach((event, crashAt) => {
    if (event.type !== socketCrash.type) return;
    const dry = new ConnectionOracle(CONFIGS[config], { brokenEnvironment: plan.brokenEnvironment });
    const driver: Driver = { frameId: 0, lastAgentId: undefined };
    let opener = -1;
    for (let i = 0; i < crashAt; i++) {
      dry.beginStep({ breakNextSocket: plan.breakSocketAt.has(i) });
      const sockets = dry.sockets.length;
      dry.apply(toStimulus(path[i] as AnyEventObject, dry, driver));
      if (settle[i] === 'resolve') dry.resolveTokens();
      if (dry.sockets.length > sockets) opener = i;
    }
    if (opener < 0) throw new Error(`No socket to crash at step ${crashAt + 1}`);
    plan.breakSocketAt.add(opener);
  });
  return plan;
}

/** A fake WebSocket class that can be told to make its next socket throw in `addEventListener`. */
function createBreakableSocketClass() {
  const sockets: FakeSocket[] = [];
  const control = { breakNext: false };
  class ModelSocket extends FakeSocket {
    readonly #broken = control.breakNext;
    constructor(url: string) {
      super(url);
      control.breakNext = false;
      sockets.push(this);
    }
    override addEventListener(...args: Parameters<FakeSocket['addEventListener']>): void {
      if (this.#broken) throw new Error(BROKEN_SOCKET);
      super.addEventListener(...args);
    }
  }
  return { WebSocket: ModelSocket, sockets, control };
}

/** The user-visible part of an error. */
const describeError = (error: ClientError) => ({
  name: error.name,
  kind: error.kind,
  message: error.message,
  details: 'details' in error ? error.details : undefined,
});

/** The system under test: the real client and adapter on a fake WebSocket, a recording clock and a fake browser. */
function createSut(config: ConfigName, plan: Plan, inspect: (event: InspectionEvent) => void) {
  const { WebSocket, sockets, control } = createBreakableSocketClass();
  const clock = new RecordingClock();
  const pendingTokens: Array<{ resolve: (token: string) => void; reject: (error: Error) => void }> = [];
  let tokenRequests = 0;
  const browser = installFakeEnvironment();
  const scope = globalThis as { addEventListener?: unknown };
  const workingAdd = scope.addEventListener;
  if (plan.brokenEnvironment)
    scope.addEventListener = () => {
      throw new Error(BROKEN_ENVIRONMENT);
    };
  const client = new AgentGatewayClient({
    gatewayUrl: 'https://gateway.test',
    getToken: () => {
      tokenRequests++;
      return new Promise<string>((resolve, reject) => pendingTokens.push({ resolve, reject }));
    },
    WebSocket,
    clock,
    inspect,
    logger: { warn: () => undefined, error: () => undefined },
    ...clientOptions(config),
  });
  scope.addEventListener = workingAdd;

  // Command ids are the client's own: the n-th command call is `#n`, as the oracle numbers them.
  const commandNumbers = new Map<string, string>();
  const normalize = (value: unknown): unknown => {
    if (typeof value === 'string') return commandNumbers.get(value) ?? value;
    if (Array.isArray(value)) return value.map(normalize);
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, normalize(field)]));
    return value;
  };
  const told: Told[] = [];
  const listen = <K extends keyof AgentGatewayClientEvents>(
    event: K,
    record: (...args: Parameters<AgentGatewayClientEvents[K]>) => Told,
  ) =>
    client.on(event, ((...args: Parameters<AgentGatewayClientEvents[K]>) =>
      told.push(record(...args))) as never);
  listen('status_changed', (status) => ['status_changed', status]);
  listen('connected', () => ['connected']);
  listen('disconnected', () => ['disconnected']);
  listen('reconnecting', (delayMs, attempt) => ['reconnecting', delayMs, attempt]);
  listen('auth_failed', (reason) => ['auth_failed', reason]);
  listen('auth_expired', () => ['auth_expired']);
  listen('session_complete', (message) => ['session_complete', message]);
  listen('session_status', (status) => ['session_status', status]);
  listen('agent_event', (message) => ['agent_event', message.id]);
  listen('history_lost', (replayed, status) => [
    'history_lost',
    replayed?.map((message) => message.id),
    status,
  ]);
  listen('error', (error) => ['error', normalize(describeError(error))]);

  let receipt: CommandReceipt | undefined;
  const issue = () => {
    receipt = client.sendInterrupt();
    commandNumbers.set(receipt.commandId, `#${commandNumbers.size + 1}`);
  };
  const settleTokens = async (outcome: 'resolve' | 'reject') => {
    for (const token of pendingTokens.splice(0)) {
      if (outcome === 'resolve') token.resolve('model-token');
      else token.reject(new Error('no token'));
    }
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  const apply = async (stimulus: Stimulus, settle: 'resolve' | 'hold') => {
    receipt = undefined;
    const socket = sockets.at(-1);
    switch (stimulus.type) {
      case 'connect':
        client.connect(SESSION_KEY);
        break;
      case 'disconnect':
        client.disconnect();
        break;
      case 'reconnect':
        client.reconnect();
        break;
      case 'command':
        issue();
        break;
      case 'closingCommand':
        socket?.startClosing();
        issue();
        break;
      case 'online':
        browser.goOnline();
        break;
      case 'visible':
        browser.becomeVisible();
        break;
      case 'open':
        if (socket?.readyState === 0) socket.open();
        break;
      case 'serverClose':
        socket?.serverClose(stimulus.code, stimulus.reason);
        break;
      case 'socketError':
        socket?.emitError(stimulus.message);
        break;
      case 'refused':
        socket?.emitError(`Unexpected server response: ${stimulus.status}`);
        break;
      case 'frames':
        for (const frame of stimulus.frames) socket?.receive(frame);
        break;
      case 'malformed':
        socket?.receive(stimulus.text);
        break;
      case 'rejectTokens':
        await settleTokens('reject');
        break;
      case 'timer':
        clock.fire(stimulus.name === 'backoff' ? client.getSnapshot().retryDelayMs : DELAY_MS[stimulus.name]);
        break;
      case 'nothing':
        break;
    }
    control.breakNext = false;
    if (settle === 'resolve') await settleTokens('resolve');
  };

  /** What a user can observe after a step, in the oracle's terms. */
  const observe = () => {
    const snapshot = client.getSnapshot();
    return {
      snapshot: {
        status: snapshot.status,
        disconnectReason: snapshot.disconnectReason,
        attempt: snapshot.attempt,
        retryDelayMs: snapshot.retryDelayMs,
        queuedCommands: snapshot.queuedCommands,
        unconfirmedCommands: snapshot.unconfirmedCommands,
        capabilities: snapshot.capabilities,
        lastClose: snapshot.lastClose,
        authFailure: snapshot.authFailure,
        lastEventId: client.lastEventId,
        duplicateFrames: client.stats.duplicateFrames,
        malformedFrames: client.stats.malformedFrames,
        sessionStatus: client.sessionStatus,
      },
      sockets: sockets.map((socket) => ({
        url: socket.url,
        frames: normalize(socket.frames),
        closedWith: socket.closedWith,
      })),
      timers: clock.pending().sort(byDelay),
      tokenRequests,
      receipt:
        receipt === undefined
          ? undefined
          : {
              command: Number((commandNumbers.get(receipt.commandId) as string).slice(1)),
              status: receipt.status,
              ...(receipt.reason ? { reason: receipt.reason } : {}),
            },
    };
  };

  const beginStep = (step: number, breakNextSocket: boolean) => {
    clock.step = step;
    control.breakNext = breakNextSocket;
  };
  const dispose = () => {
    client.dispose();
    browser.uninstall();
  };
  return { client, told, apply, observe, beginStep, dispose };
}

const byDelay = (a: [number, boolean], b: [number, boolean]) => a[0] - b[0] || Number(a[1]) - Number(b[1]);

/** What the oracle expects a user to observe after a step. */
function expectation(oracle: ConnectionOracle) {
  return {
    snapshot: oracle.snapshot(),
    sockets: oracle.sockets.map(({ url, frames, closedWith }) => ({ url, frames, closedWith })),
    timers: oracle.timers().sort(byDelay),
    tokenRequests: oracle.tokenRequests,
    receipt: oracle.receipt,
  };
}

/**
 * Runs one generated path on the real client and on the oracle in lockstep; after every step, what a
 * user observes (status and snapshot, events with their payloads, every frame written, closes,
 * pending timers, token requests, the command's receipt) must be what the oracle says.
 * `inspect` receives the real client's inspection events (coverage of the transitions it took).
 */
export async function runPath(
  path: AnyEventObject[],
  config: ConfigName,
  inspect: (event: InspectionEvent) => void,
): Promise<void> {
  const plan = planPath(path, config);
  const oracle = new ConnectionOracle(CONFIGS[config], { brokenEnvironment: plan.brokenEnvironment });
  let recording = true;
  const sut = createSut(config, plan, (event) => recording && inspect(event));
  const driver: Driver = { frameId: 0, lastAgentId: undefined };
  try {
    for (const [index, event] of path.entries()) {
      const where = () =>
        `config ${config}, step ${index + 1}/${path.length} (${event.type}) of path [${path.map((e) => e.type).join(', ')}]`;
      const breakNextSocket = plan.breakSocketAt.has(index);
      oracle.beginStep({ breakNextSocket });
      sut.beginStep(index + 1, breakNextSocket);
      const stimulus = toStimulus(event, oracle, driver);
      const toldBefore = oracle.told.length;
      const settle = plan.settle[index] as 'resolve' | 'hold';
      oracle.apply(stimulus);
      if (settle === 'resolve') oracle.resolveTokens();
      await sut.apply(stimulus, settle);
      const told = sut.told.slice(toldBefore);
      const expectedTold = oracle.told.slice(toldBefore);
      if (sut.told.length !== oracle.told.length || !isDeepStrictEqual(told, expectedTold)) {
        throw new Error(
          `told ${JSON.stringify(sut.told.slice(toldBefore))} ≠ oracle ${JSON.stringify(expectedTold)} at ${where()}`,
        );
      }
      const actual = sut.observe();
      const expected = expectation(oracle);
      for (const key of Object.keys(expected) as Array<keyof typeof expected>) {
        if (!isDeepStrictEqual(actual[key], expected[key]))
          throw new Error(
            `${key}: client ${JSON.stringify(actual[key])} ≠ oracle ${JSON.stringify(expected[key])} at ${where()}`,
          );
      }
    }
  } finally {
    // Disposing takes transitions of its own: they are not what the path covered.
    recording = false;
    sut.dispose();
  }
}
