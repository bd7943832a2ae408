import {
  AgentGatewayClient,
  type AgentGatewayClientEvents,
  type AgentGatewayClientOptions,
  type ConnectionEmitted,
  connectionMachine,
} from 'agent-gateway-client';
import type { SocketActorInput, SocketCommand } from '../../machines/connection.machine.js';
import {
  type AnyEventObject,
  type AnyMachineSnapshot,
  createActor,
  fromCallback,
  SimulatedClock,
} from 'xstate';
import { installFakeEnvironment } from '../support/browser.js';
import { createFakeSocketClass, type FakeSocket } from '../support/fakeSocket.js';
import type { createCoverage } from './support/coverage.js';
import { ManualClock } from '../support/manualClock.js';

/** Distinct durations, so firing "the pending N ms timeout" fires exactly one delayed transition. */
export const DELAY_MS = {
  connectTimeout: 1_001,
  authTimeout: 1_002,
  heartbeatInterval: 1_003,
  heartbeatTimeout: 1_004,
  minUptime: 1_005,
  backoff: 1_006,
  // Fixed by the machine (one second), not an option: already distinct from the others.
  malformedWindow: 1_000,
} as const;

const timing = {
  connectTimeoutMs: DELAY_MS.connectTimeout,
  authTimeoutMs: DELAY_MS.authTimeout,
  heartbeatIntervalMs: DELAY_MS.heartbeatInterval,
  heartbeatTimeoutMs: DELAY_MS.heartbeatTimeout,
  minUptimeMs: DELAY_MS.minUptime,
  initialReconnectDelayMs: DELAY_MS.backoff,
  maxReconnectDelayMs: DELAY_MS.backoff,
  reconnectJitter: 0,
  maxQueuedCommands: 1,
  maxReconnectAttempts: 1,
};

/**
 * Two configurations whose union reaches every guard branch (retry or not, drop oldest or reject,
 * wait for `resume_complete` or not, re-auth and malformed-frame limits reached or not).
 */
export const CONFIGS = {
  // The limits are at their first step here (the first re-auth and the first malformed frame hit
  // them) and one further in the other configuration, so the counters need not be in the state key.
  retrying: {
    ...timing,
    autoReconnect: true,
    outboxOverflow: 'dropOldest',
    maxReauthsPerLink: 0,
    maxMalformedFramesPerSecond: 1,
  },
  noRetry: {
    ...timing,
    autoReconnect: false,
    outboxOverflow: 'rejectNew',
    wantStatus: false,
    maxReauthsPerLink: 1,
    maxMalformedFramesPerSecond: 2,
  },
} as const satisfies Record<string, Partial<AgentGatewayClientOptions>>;

/** What the reference gateway announces; the original gateway announces nothing. */
const ALL_CAPABILITIES = ['command_id', 'resume_complete', 'auth_expired'];

export type ConfigName = keyof typeof CONFIGS;

const command = { commandId: 'model', frame: { type: 'interrupt' } } as const;

/** The events tried in every state; delayed events are added per state from its `after` transitions. */
export const EVENTS: AnyEventObject[] = [
  { type: 'user.connect', chatKey: 'chat' },
  { type: 'user.disconnect' },
  { type: 'user.reconnect' },
  { type: 'user.command', command },
  { type: 'env.online' },
  { type: 'env.visible' },
  { type: 'socket.open' },
  { type: 'socket.closed', code: 1006, reason: '' },
  { type: 'socket.closed', code: 4001, reason: 'Unauthorized' },
  { type: 'socket.error', message: 'boom' },
  { type: 'socket.alive' },
  { type: 'socket.malformedFrame' },
  { type: 'socket.tokenFailed', message: 'Token provider failed: no token' },
  // Run as "the server's close frame arrives (CLOSING), then the user issues a command".
  { type: 'socket.commandUnsent', commandId: 'model' },
  { type: 'server.authSuccess', capabilities: ALL_CAPABILITIES },
  { type: 'server.authSuccess', capabilities: [] },
  { type: 'server.authFailed', reason: 'bad token' },
  { type: 'server.authExpired' },
  { type: 'server.heartbeatAck' },
  { type: 'server.resumeComplete', message: { type: 'resume_complete', status: 'running' } },
  { type: 'server.resumeComplete', message: { type: 'resume_complete', status: 'completed' } },
  { type: 'server.replayEnded' },
  { type: 'server.sessionComplete', message: { type: 'session_complete', id: 'end' } },
  { type: 'xstate.error.actor.environment', error: new Error('environment crashed') },
];

const socketCrash = { type: 'xstate.error.actor.socket', error: new Error('adapter crashed') };

/**
 * Events to try in a state: the fixed ones, a crash of the socket adapter while one exists (an
 * actor's error can only come from a running actor), and the delayed transitions of the active nodes.
 */
export function eventsFor(snapshot: AnyMachineSnapshot): AnyEventObject[] {
  const delayed = snapshot._nodes.flatMap((node) => node.after.map((t) => ({ type: t.eventType })));
  return [...EVENTS, ...(snapshot.matches('link') ? [socketCrash] : []), ...delayed];
}

/** States that behave alike for the guards: the state value plus the counters guards read. */
export function serializeState(snapshot: AnyMachineSnapshot): string {
  const { attempt, outbox, inFlight, heartbeatsSent, heartbeatsAcked, capabilities } = snapshot.context;
  return JSON.stringify([
    snapshot.value,
    capabilities.length > 0,
    attempt,
    Math.min(outbox.length, 2),
    inFlight.length > 0,
    Math.min(heartbeatsSent - heartbeatsAcked, 2),
  ]);
}

/**
 * One link of the model: the commands the machine gave its adapter, and what the adapter's documented
 * rules make of them — the frames it writes, the auth requests, the close it sends.
 */
interface ModelLink {
  commands: SocketCommand[];
  stopped: boolean;
  /** The adapter closed (by a machine command) or saw the server close: it ignores everything after. */
  finished: boolean;
  /** A heartbeat was written and no frame has arrived since (the next non-ack frame is proof of life). */
  awaitingProofOfLife: boolean;
  /** The socket opened / the server's close frame arrived: it cannot take writes any more. */
  opened: boolean;
  closing: boolean;
  seen: number;
  /** Frame types written, `auth` left out (it waits for the token provider). */
  frames: string[];
  /** Session frames (and `resume_complete`) held since the machine asked; `undefined` when not holding. */
  held: AnyEventObject[] | undefined;
  auths: number;
  close: { code: number; reason: string } | undefined;
}

type Coverage = ReturnType<typeof createCoverage>;

/** The model: the connection machine with a recording adapter, plus the adapter's documented rules. */
function createModel(config: ConfigName, coverage: Coverage) {
  const links: ModelLink[] = [];
  const emitted: ConnectionEmitted[] = [];
  openLink = (receive) => {
    const link: ModelLink = {
      commands: [],
      stopped: false,
      finished: false,
      awaitingProofOfLife: false,
      opened: false,
      closing: false,
      seen: 0,
      frames: [],
      held: undefined,
      auths: 0,
      close: undefined,
    };
    links.push(link);
    receive((cmd) => link.commands.push(cmd));
    return () => {
      link.stopped = true;
    };
  };
  const actor = createActor(modelMachine, {
    input: { config: CONFIGS[config] },
    clock: new SimulatedClock(),
    inspect: coverage.observe,
  });
  actor.on('*', (event) => emitted.push(event));
  actor.start();

  /** Applies the adapter's rules to the commands the machine gave since the last look. */
  const absorbCommands = (): void => {
    const unsent: string[] = [];
    const released: AnyEventObject[] = [];
    for (const link of links) {
      for (; link.seen < link.commands.length; link.seen++) {
        const cmd = link.commands[link.seen] as SocketCommand;
        if (link.finished) continue;
        // Not writes: the adapter's own bookkeeping of the replay.
        if (cmd.type === 'replayOver' || cmd.type === 'replayPossible') continue;
        if (cmd.type === 'holdFrames') link.held ??= [];
        else if (cmd.type === 'releaseFrames') {
          // Held frames reach the machine in arrival order (data frames do not reach it at all).
          released.push(...(link.held ?? []));
          link.held = undefined;
        } else if (cmd.type === 'close') {
          link.finished = true;
          link.close = { code: cmd.code, reason: cmd.reason };
        } else if (cmd.type === 'auth') link.auths++;
        else if (link.closing) {
          // A closing socket takes no writes; a command it could not take is reported back.
          if (cmd.type === 'command') unsent.push(cmd.commandId);
        } else {
          if (cmd.type === 'heartbeat') link.awaitingProofOfLife = true;
          link.frames.push(cmd.type === 'command' ? cmd.frame.type : cmd.type);
        }
      }
    }
    for (const commandId of unsent) actor.send({ type: 'socket.commandUnsent', commandId });
    for (const event of released) actor.send(event as never);
    if (unsent.length > 0 || released.length > 0) absorbCommands();
  };
  const liveLink = () => links.findLast((link) => !link.stopped);

  let commands = 0;
  const apply = (event: AnyEventObject) => {
    const fromSocket = event.type.startsWith('socket.') || event.type.startsWith('server.');
    if (!fromSocket) {
      // Every command the client issues has its own id, as the real client's do.
      const sent =
        event.type === 'user.command'
          ? {
              type: 'user.command',
              command: { commandId: `model-${++commands}`, frame: { type: 'interrupt' } },
            }
          : event;
      actor.send(sent as never);
      return absorbCommands();
    }
    const link = liveLink();
    if (event.type === 'socket.commandUnsent') {
      if (link !== undefined && !link.finished) link.closing = true;
      actor.send({
        type: 'user.command',
        command: { commandId: `unsent-${links.length}`, frame: { type: 'interrupt' } },
      });
      return absorbCommands();
    }
    if (link === undefined || link.finished) return;
    // Only a connecting socket opens, once; a closing one never reopens.
    if (event.type === 'socket.open') {
      if (link.opened || link.closing) return;
      link.opened = true;
    }
    const isFrame =
      event.type.startsWith('server.') ||
      event.type === 'socket.alive' ||
      event.type === 'socket.malformedFrame';
    if (isFrame && event.type !== 'server.heartbeatAck' && link.awaitingProofOfLife) {
      link.awaitingProofOfLife = false;
      actor.send({ type: 'socket.alive' });
      absorbCommands();
    }
    if (event.type === 'socket.alive') return;
    // The wire has one resume_complete frame: while frames are held it marks the replay's end.
    const isResumeComplete = event.type === 'server.resumeComplete' || event.type === 'server.replayEnded';
    if (link.held !== undefined && (isResumeComplete || event.type === 'server.sessionComplete')) {
      link.held.push(event.type === 'server.replayEnded' ? resumeRunning : event);
      if (isResumeComplete) actor.send({ type: 'server.replayEnded' });
      return absorbCommands();
    }
    if (event.type === 'server.replayEnded') {
      actor.send(resumeRunning);
      return absorbCommands();
    }
    if (event.type === 'socket.closed') link.finished = true;
    if (event.type === 'socket.tokenFailed' && link.auths === 0) return;
    actor.send(event as never);
    absorbCommands();
  };

  return { actor, links, emitted, apply };
}

const resumeRunning = {
  type: 'server.resumeComplete',
  message: { type: 'resume_complete', status: 'running' },
} as const;

type OpenLink = (receive: (listener: (command: SocketCommand) => void) => void) => () => void;

// Paths run one at a time: the model being run registers where its links are recorded. One provided
// machine (one set of transition definitions, which coverage tracks by identity) serves every path.
let openLink: OpenLink = () => () => undefined;
const modelMachine = connectionMachine.provide({
  actors: {
    socket: fromCallback<SocketCommand, SocketActorInput>(({ receive }) => openLink(receive)),
    environment: fromCallback(() => undefined),
  },
});

/** The definition coverage is measured against. */
export const MODEL_MACHINE = modelMachine;

/** The system under test: the real client, real adapter, fake WebSocket and a manual clock. */
function createSut(config: ConfigName) {
  const { WebSocket, sockets } = createFakeSocketClass();
  const clock = new ManualClock();
  const pendingTokens: Array<{ resolve: (token: string) => void; reject: (error: Error) => void }> = [];
  let tokenRequests = 0;
  const browser = installFakeEnvironment();
  const client = new AgentGatewayClient({
    gatewayUrl: 'https://gateway.test',
    getToken: () => {
      tokenRequests++;
      return new Promise<string>((resolve, reject) => pendingTokens.push({ resolve, reject }));
    },
    WebSocket,
    clock,
    logger: { warn: () => undefined, error: () => undefined },
    ...CONFIGS[config],
  });
  const seen: string[] = [];
  // Malformed frames are reported by the adapter itself, not by the machine: the model has no say.
  const record =
    (name: keyof AgentGatewayClientEvents) =>
    (...args: unknown[]) => {
      const error = args[0] as { name?: string; kind?: string } | undefined;
      if (name === 'error' && error?.name === 'FrameError') return;
      seen.push(name === 'error' ? `error:${error?.kind}` : name);
    };
  for (const name of [
    'connected',
    'disconnected',
    'reconnecting',
    'auth_failed',
    'session_complete',
    'error',
  ] as const) {
    client.on(name, record(name) as never);
  }
  let frameId = 0;
  const latest = (): FakeSocket | undefined => sockets.at(-1);
  const settleTokens = async (outcome: 'resolve' | 'reject') => {
    for (const token of pendingTokens.splice(0)) {
      if (outcome === 'resolve') token.resolve('model-token');
      else token.reject(new Error('no token'));
    }
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  const apply = async (event: AnyEventObject, rest: AnyEventObject[]) => {
    const socket = latest();
    switch (event.type) {
      case 'user.connect':
        client.connect('chat');
        break;
      case 'user.disconnect':
        client.disconnect();
        break;
      case 'user.reconnect':
        client.reconnect();
        break;
      case 'user.command':
        client.sendInterrupt();
        break;
      case 'env.online':
        browser.goOnline();
        break;
      case 'env.visible':
        browser.becomeVisible();
        break;
      case 'socket.open':
        if (socket?.readyState === 0) socket.open();
        break;
      case 'socket.commandUnsent':
        socket?.startClosing();
        client.sendInterrupt();
        break;
      case 'socket.closed':
        socket?.serverClose(event.code as number, event.reason as string);
        break;
      case 'socket.error':
        socket?.emitError(event.message as string);
        break;
      case 'socket.malformedFrame':
        socket?.receive('{"type":"agent_event"');
        break;
      case 'socket.alive':
        socket?.receive({
          type: 'agent_event',
          id: `f${++frameId}`,
          event: { kind: 'thinking', content: '.' },
        });
        break;
      case 'socket.tokenFailed':
        await settleTokens('reject');
        break;
      case 'server.authSuccess': {
        const capabilities = event.capabilities as string[];
        socket?.receive(
          capabilities.length > 0 ? { type: 'auth_success', capabilities } : { type: 'auth_success' },
        );
        break;
      }
      case 'server.authFailed':
        socket?.receive({ type: 'auth_failed', reason: event.reason as string });
        break;
      case 'server.authExpired':
        socket?.receive({ type: 'auth_expired' });
        break;
      case 'server.heartbeatAck':
        socket?.receive({ type: 'heartbeat_ack' });
        break;
      case 'server.resumeComplete':
        socket?.receive(event.message as object);
        break;
      case 'server.replayEnded':
        socket?.receive(resumeRunning.message);
        break;
      case 'server.sessionComplete':
        socket?.receive({ type: 'session_complete', id: `f${++frameId}` });
        break;
      default:
        if (event.type.startsWith('xstate.error.actor.')) client.actor.send(event as never);
        else if (event.type.startsWith('xstate.after.')) {
          // A delay the path expected may be gone (a frame proved the link alive first): the model
          // ignores it then too, and the state comparison checks they agree.
          clock.fireIfPending(DELAY_MS[event.type.split('.')[2] as keyof typeof DELAY_MS]);
        } else throw new Error(`No SUT action for ${event.type}`);
    }
    // Token requests stay open while a later step is to make them fail.
    if (!rest.some((later) => later.type === 'socket.tokenFailed')) await settleTokens('resolve');
  };

  const dispose = () => {
    client.dispose();
    browser.uninstall();
  };

  return { client, sockets, seen, apply, dispose, tokenRequests: () => tokenRequests };
}

const userVisible: Partial<Record<ConnectionEmitted['type'], string[]>> = {
  connected: ['connected'],
  disconnected: ['disconnected'],
  reconnecting: ['reconnecting'],
  authFailed: ['auth_failed'],
  sessionComplete: ['session_complete'],
  linkError: ['error:link'],
  historyLost: ['error:historyLost'],
  gaveUp: ['error:gaveUp'],
  closedByGateway: ['error:closedByGateway'],
  commandDropped: ['error:commandDropped'],
  commandUnconfirmed: ['error:commandUnconfirmed'],
};

/**
 * Runs one path on the model and on the real client in lockstep, and after every step checks that
 * the client's state, its user-visible events and what it wrote on each socket match the model.
 */
export async function runPath(path: AnyEventObject[], config: ConfigName, coverage: Coverage): Promise<void> {
  const model = createModel(config, coverage);
  const sut = createSut(config);
  try {
    for (const [index, event] of path.entries()) {
      const where = () =>
        `config ${config}, step ${index + 1}/${path.length} (${event.type}) of path [${path.map((e) => e.type).join(', ')}]`;
      model.apply(event);
      await sut.apply(event, path.slice(index + 1));
      const expectedState = JSON.stringify(model.actor.getSnapshot().value);
      const actualState = JSON.stringify(sut.client.getSnapshot().state);
      if (actualState !== expectedState)
        throw new Error(`state ${actualState} ≠ model ${expectedState} at ${where()}`);
      const expectedEvents = model.emitted.flatMap((emitted) => userVisible[emitted.type] ?? []);
      if (JSON.stringify(sut.seen) !== JSON.stringify(expectedEvents)) {
        throw new Error(
          `events ${JSON.stringify(sut.seen)} ≠ model ${JSON.stringify(expectedEvents)} at ${where()}`,
        );
      }
      if (sut.sockets.length !== model.links.length) {
        throw new Error(`${sut.sockets.length} sockets ≠ model ${model.links.length} links at ${where()}`);
      }
      for (const [i, link] of model.links.entries()) {
        const socket = sut.sockets[i] as FakeSocket;
        const expected = link;
        const written = socket.frameTypes.filter((type) => type !== 'auth');
        if (JSON.stringify(written) !== JSON.stringify(expected.frames)) {
          throw new Error(
            `socket ${i} wrote ${JSON.stringify(written)} ≠ model ${JSON.stringify(expected.frames)} at ${where()}`,
          );
        }
        if (JSON.stringify(socket.closedWith) !== JSON.stringify(expected.close)) {
          throw new Error(
            `socket ${i} closed ${JSON.stringify(socket.closedWith)} ≠ model ${JSON.stringify(expected.close)} at ${where()}`,
          );
        }
        if (socket.frameTypes.filter((type) => type === 'auth').length > expected.auths) {
          throw new Error(`socket ${i} wrote more auth frames than the model asked for at ${where()}`);
        }
      }
      const modelAuths = model.links.reduce((total, link) => total + link.auths, 0);
      if (sut.tokenRequests() !== modelAuths) {
        throw new Error(`${sut.tokenRequests()} token requests ≠ model ${modelAuths} auths at ${where()}`);
      }
    }
  } finally {
    sut.dispose();
    model.actor.stop();
  }
}
