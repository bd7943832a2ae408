import type { CommandFrame, SessionEventMessage, SessionStatus } from 'agent-gateway-client';
import {
  type Agent,
  createDemoAgent,
  createGatewayServer,
  createTokenVerifier,
  DEFAULT_LIMITS,
  type DistributiveOmit,
  type GatewayLimits,
} from 'agent-gateway-client/server';
import { type LocalGateway, startLocalGateway } from '../../server/cloudflare/node/localGateway.js';
import { runRemoteAgent } from '../../server/cloudflare/node/remoteAgent.js';
import { SECRET, tokenFor } from '../integration/support.js';

/** Engine names: the embedded Node gateway and the Durable Object gateway in a local workerd. */
export type EngineName = 'node' | 'cloudflare';

/** The limits both engines enforce, the same knobs (Node options, Worker vars). */
export type EngineLimits = Pick<
  GatewayLimits,
  | 'authTimeoutMs'
  | 'maxFrameBytes'
  | 'rateLimit'
  | 'idleTimeoutMs'
  | 'authExpiryNoticeMs'
  | 'maxPendingFrames'
  | 'maxLogEvents'
  | 'maxLogAgeMs'
  | 'maxLogBytes'
  | 'sessionTtlMs'
  | 'maxUnauthenticatedSockets'
>;

/** The defaults of both engines: one table, `server/core/limits.ts`. */
export const defaultLimits: EngineLimits = DEFAULT_LIMITS;

/** A running gateway, driven the same way whatever the engine. */
export interface RunningEngine {
  readonly name: EngineName;
  /** `gatewayUrl` for clients. */
  readonly url: string;
  readonly limits: EngineLimits;
  /** A valid token (`createSessionToken`, same secret on both engines). */
  tokenFor(chatKey: string, ttlMs?: number): string;
  /** Runs an agent on the session (default: the demo agent without pauses). */
  startAgent(chatKey: string, agent?: Agent): void;
  /** Appends an event as an agent runtime would; returns it with its id. */
  publish(chatKey: string, frame: DistributiveOmit<SessionEventMessage, 'id'>): Promise<SessionEventMessage>;
  /** Ids of every event the session stored, in order. */
  replayIds(chatKey: string): Promise<string[]>;
  /** Commands the session applied, in order. */
  applied(chatKey: string): Promise<CommandFrame[]>;
  /** The session's stored status. */
  status(chatKey: string): Promise<SessionStatus | undefined>;
  /** Whether nothing ever reached the session (no authenticated socket on Node; no event or command on Cloudflare). */
  untouched(chatKey: string): Promise<boolean>;
  /** Cuts every socket of a session (Node: 1006, Cloudflare: 1012); returns how many. */
  dropConnections(chatKey: string): Promise<number>;
  close(): Promise<void>;
}

/** A gateway implementation under test. */
export interface Engine {
  readonly name: EngineName;
  start(limits?: Partial<EngineLimits>): Promise<RunningEngine>;
}

const demoAgent = () => createDemoAgent({ tokensPerSecond: 0 });

/** The Node gateway (`createGatewayServer`), agents run in process. */
export const nodeEngine: Engine = {
  name: 'node',
  async start(limits = {}) {
    const merged = { ...defaultLimits, ...limits };
    // A short grace: a socket closed for breaking a rule is not read any more, so its client sees the
    // close only once the gateway cuts it (1 s by default).
    const gateway = await createGatewayServer({
      verifyToken: createTokenVerifier(SECRET),
      ...merged,
      closeGraceMs: 250,
    });
    return {
      name: 'node',
      url: gateway.url,
      limits: merged,
      tokenFor,
      startAgent: (chatKey, agent = demoAgent()) => gateway.openSession(chatKey).start(agent),
      publish: async (chatKey, frame) => gateway.openSession(chatKey).publish(frame),
      replayIds: async (chatKey) => (gateway.session(chatKey)?.replay('').events ?? []).map(({ id }) => id),
      applied: async (chatKey) => (gateway.session(chatKey)?.applied ?? []).map(({ frame }) => frame),
      status: async (chatKey) => gateway.session(chatKey)?.status,
      untouched: async (chatKey) => gateway.session(chatKey) === undefined,
      dropConnections: async (chatKey) => gateway.dropConnections(chatKey),
      close: () => gateway.close(),
    };
  },
};

/** A running Cloudflare engine, with its runtime API for tests that look inside the object. */
export interface CloudflareRunningEngine extends RunningEngine {
  readonly gateway: LocalGateway;
}

/** The Cloudflare engine's `start` also hands out the local gateway. */
export interface CloudflareEngine extends Engine {
  start(limits?: Partial<EngineLimits>): Promise<CloudflareRunningEngine>;
}

/** The Durable Object gateway in a local workerd (Miniflare); agents run in this process over the runtime API. */
export const cloudflareEngine: CloudflareEngine = {
  name: 'cloudflare',
  async start(limits = {}) {
    const merged = { ...defaultLimits, ...limits };
    const gateway = await startLocalGateway({ secret: SECRET, ...merged });
    const session = (chatKey: string) => gateway.runtime.session(chatKey);
    const stop = new AbortController();
    const runs: Array<Promise<unknown>> = [];
    const failures: unknown[] = [];
    return {
      name: 'cloudflare',
      url: gateway.url,
      limits: merged,
      gateway,
      tokenFor,
      startAgent: (chatKey, agent = demoAgent()) =>
        void runs.push(
          runRemoteAgent({ session: session(chatKey), agent, signal: stop.signal }).catch((error: unknown) =>
            failures.push(error),
          ),
        ),
      publish: async (chatKey, frame) => {
        const [event] = await session(chatKey).append(frame);
        if (event === undefined) throw new Error('the gateway stored nothing');
        return event;
      },
      replayIds: async (chatKey) => (await session(chatKey).log()).map(({ id }) => id),
      applied: async (chatKey) => (await session(chatKey).commands(0)).commands.map(({ frame }) => frame),
      status: async (chatKey) => (await session(chatKey).state()).status ?? undefined,
      untouched: async (chatKey) => {
        const state = await session(chatKey).state();
        return state.eventCount === 0 && state.lastCommandSeq === 0;
      },
      dropConnections: (chatKey) => session(chatKey).disconnect(),
      close: async () => {
        stop.abort();
        await Promise.all(runs);
        await gateway.close();
        if (failures.length > 0) throw failures[0];
      },
    };
  },
};

const requested = (process.env.CONFORMANCE_ENGINES ?? 'node,cloudflare').split(',');

/** The engines this run tests (`CONFORMANCE_ENGINES=node` or `=cloudflare` narrows it). Default both. */
export const engines: Engine[] = [nodeEngine, cloudflareEngine].filter(({ name }) =>
  requested.includes(name),
);
