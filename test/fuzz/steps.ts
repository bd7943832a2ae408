import type { OutboxOverflow } from 'agent-gateway-client';
import fc from 'fast-check';
import { type FrameSpec, frameSpec } from './frames.js';

/** Which socket a server-side step acts on: the client's current one, or one it abandoned. */
export type Target = 'current' | { old: number };

/** One step of a fuzz script. Targets are resolved when the step runs; an impossible step is skipped. */
export type Step =
  // The socket and the server behind it.
  | { step: 'open' }
  | { step: 'frame'; target: Target; spec: FrameSpec }
  | { step: 'stream'; count: number }
  | { step: 'progress' }
  | { step: 'serverClose'; target: Target; code: number }
  | { step: 'error'; thenClose: boolean }
  /** The server began the closing handshake: the socket is CLOSING, its close event comes later. */
  | { step: 'closing' }
  // The browser.
  | { step: 'online' }
  | { step: 'visible' }
  // The user.
  | { step: 'connect'; chatKey: string }
  | { step: 'disconnect' }
  | { step: 'reconnect' }
  | { step: 'interrupt' }
  | { step: 'toolConfirmation'; toolCallId: string; approved: boolean }
  | { step: 'userInput'; requestId: string; content: string }
  | { step: 'updateToken'; token: string }
  // The clock.
  | { step: 'advance'; ms: number }
  | { step: 'nextTimer' };

/** Options of one run: the short timings of the brief, plus what varies between runs. */
export interface FuzzConfig {
  maxReconnectAttempts: number;
  maxQueuedCommands: number;
  outboxOverflow: OutboxOverflow;
  reconnectJitter: number;
  autoReconnect: boolean;
  wantStatus: boolean;
  /** Seed of the injected `random` (jitter). */
  randomSeed: number;
  /** The server sends `heartbeat_ack` whenever the script says, not only to answer a heartbeat. */
  strayAcks: boolean;
  /** Listeners answer tool confirmation and input requests at once (commands issued mid-delivery). */
  answerRequests: boolean;
  /** A `connected` listener sends an interrupt (a command issued inside a machine callback: `pending`). */
  interruptOnConnected: boolean;
  /** An `agent_event` listener throws. */
  throwingListener: boolean;
  /** The fake socket fires `close` inside the client's `close()` call. */
  syncCloseEvents: boolean;
  /** The client watches the (fake) browser's `online` and `visibilitychange` events. */
  watchEnvironment: boolean;
  /** A listener calls back into the client: what it does. */
  reentrant: Reentrant;
}

/** What a re-entrant listener does: reconnect when disconnected, re-send a dropped command, or dispose. */
export type Reentrant =
  | 'none'
  | 'connectOnDisconnected'
  | 'resendDropped'
  | 'disposeOnConnected'
  | 'disposeOnReconnecting'
  | 'disposeOnComplete'
  | 'disposeOnEvent';

/** The timings every run uses: short, so that steps of the clock cross them. */
export const TIMINGS = {
  heartbeatIntervalMs: 1_000,
  heartbeatTimeoutMs: 500,
  connectTimeoutMs: 800,
  authTimeoutMs: 800,
  initialReconnectDelayMs: 100,
  maxReconnectDelayMs: 1_000,
  minUptimeMs: 1_500,
} as const;

const mostly = (value: boolean, weight = 4) =>
  fc.oneof({ weight, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: fc.constant(!value) });

/** Options of a run; `overrides` pins some of them (e.g. the re-entrant listener). */
export const configArb = (
  overrides: Partial<{ [K in keyof FuzzConfig]: fc.Arbitrary<FuzzConfig[K]> }> = {},
) =>
  fc.record<FuzzConfig>({
    maxReconnectAttempts: fc.constantFrom(0, 1, 2, 3, 6),
    maxQueuedCommands: fc.constantFrom(0, 1, 2, 3, 8),
    outboxOverflow: fc.constantFrom<OutboxOverflow>('rejectNew', 'dropOldest'),
    reconnectJitter: fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
    autoReconnect: mostly(true, 6),
    wantStatus: mostly(true),
    randomSeed: fc.integer(),
    strayAcks: mostly(false),
    answerRequests: fc.boolean(),
    interruptOnConnected: mostly(false, 2),
    throwingListener: mostly(false, 2),
    syncCloseEvents: mostly(false, 2),
    watchEnvironment: mostly(true, 2),
    reentrant: fc.constant<Reentrant>('none'),
    ...overrides,
  });

const target: fc.Arbitrary<Target> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('current' as const) },
  { weight: 1, arbitrary: fc.nat(3).map((old) => ({ old })) },
);

// Retryable: 1000 (a normal close the client did not ask for), 1001, 1005, 1006, 1011, 4000, 4008, 4429, 3000.
// Terminal: 1002, 1003, 1008, 1009, 4001, 4003, 4400, 4500, 4999.
const closeCode = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(1006, 1001, 1000, 4429, 1011, 4008, 1005, 4000, 3000) },
  { weight: 1, arbitrary: fc.constantFrom(4001, 4400, 4500, 4999, 1008, 1002, 1003, 1009, 4003) },
);

const advanceMs = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 300 }) },
  // Right at and around the configured delays.
  {
    weight: 3,
    arbitrary: fc.constantFrom(99, 100, 101, 200, 499, 500, 501, 799, 800, 801, 999, 1000, 1001, 1499, 1500),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }) },
);

/** Every kind of step, weighted so that runs spend most of their time on a live link. */
export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ step: 'open' as const }) },
  { weight: 40, arbitrary: fc.record({ step: fc.constant('frame' as const), target, spec: frameSpec }) },
  {
    weight: 10,
    arbitrary: fc.integer({ min: 1, max: 12 }).map((count) => ({ step: 'stream' as const, count })),
  },
  { weight: 16, arbitrary: fc.constant({ step: 'progress' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ step: fc.constant('serverClose' as const), target, code: closeCode }),
  },
  { weight: 1, arbitrary: fc.record({ step: fc.constant('error' as const), thenClose: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ step: 'closing' as const }) },
  { weight: 1, arbitrary: fc.constantFrom({ step: 'online' as const }, { step: 'visible' as const }) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('chat-1', 'chat-1', 'chat-2', 'a b/ü?&=')
      .map((chatKey) => ({ step: 'connect' as const, chatKey })),
  },
  { weight: 1, arbitrary: fc.constant({ step: 'disconnect' as const }) },
  { weight: 1, arbitrary: fc.constant({ step: 'reconnect' as const }) },
  { weight: 2, arbitrary: fc.constant({ step: 'interrupt' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      step: fc.constant('toolConfirmation' as const),
      toolCallId: fc.constantFrom('call-1', 'call-2'),
      approved: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      step: fc.constant('userInput' as const),
      requestId: fc.constantFrom('req-1', 'req-2'),
      content: fc.constantFrom('Paris', '', 'ü'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('t2', 't3').map((token) => ({ step: 'updateToken' as const, token })),
  },
  { weight: 8, arbitrary: advanceMs.map((ms) => ({ step: 'advance' as const, ms })) },
  { weight: 2, arbitrary: fc.constant({ step: 'nextTimer' as const }) },
);

/** A run: its options and its script, which always starts with a connect. */
export const scenarioArb = (maxSteps: number, config = configArb()) =>
  fc.record({
    config,
    steps: fc
      .array(stepArb, { minLength: 1, maxLength: maxSteps, size: 'max' })
      .map((steps): Step[] => [{ step: 'connect', chatKey: 'chat-1' }, ...steps]),
  });

/** One run's options and script. */
export type Scenario = { config: FuzzConfig; steps: Step[] };
