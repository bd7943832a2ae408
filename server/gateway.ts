import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { Connection, type ConnectionHost } from './connection.js';
import { Closes } from './core/closes.js';
import { type GatewayDialect, sessionKeyParameter } from './core/dialect.js';
import { type GatewayLimits, resolveLimits } from './core/limits.js';
import { createMemoryEventLog, type EventLog, type PublishedFrame, SequenceStore } from './eventLog.js';
import type { FaultOptions } from './faults.js';
import { createHttpServer, type HttpRoute, refuseUpgrade } from './httpServer.js';
import { loadWs } from './loadWs.js';
import { LobeHubEventWriter } from './lobehubEvents.js';
import { ReplayPacer } from './replayPacer.js';
import { type RunStarter, serveRunRequest } from './runEndpoint.js';
import type { Agent, GatewaySession } from './session.js';
import { SessionRegistry } from './sessions.js';
import type { TokenVerifier } from './tokens.js';
import { UnauthenticatedQuota } from './unauthenticatedQuota.js';

/** Options of {@link createGatewayServer}: the limits (each with its default, docs/gateway-security.md) and these. */
export interface GatewayServerOptions extends Partial<GatewayLimits> {
  /** Checks each `auth` token for its chatKey. Required (see `createTokenVerifier`). */
  verifyToken: TokenVerifier;
  /**
   * `original` plays the original gateway exactly (bare `auth_success`, live events as soon as a
   * socket is authenticated, `resume` a plain replay request, no `resume_complete`, no `auth_expired`,
   * no command deduplication); `lobehub` plays LobeHub's v1 gateway (`/ws?operationId=…`, its event
   * shape, integer ids, `resume_complete {status, gap?}`; docs/lobehub.md). Default `reference`
   * (every extension, announced).
   */
  dialect?: GatewayDialect;
  /** The agent each new session runs. Default none: events come only from `session.publish`. */
  agent?: Agent;
  /** TCP port; `0` picks a free one. Default `0`. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Makes the event log of a new session, within the log limits. Default: in memory (`createMemoryEventLog`). */
  createEventLog?: (
    chatKey: string,
    limits: { maxEvents: number; maxAgeMs: number; maxBytes: number },
  ) => EventLog;
  /** The address unauthenticated sockets are counted by. Default: the TCP peer (behind a proxy, read its header). */
  clientAddress?: (request: IncomingMessage) => string;
  /**
   * Serve `POST /runs`: an app's backend starts the agent on a new session with a prompt, then the
   * browser follows it over `/ws` (docs/protocol.md, "Starting a run"). Default `false`.
   */
  runs?: boolean;
  /** Faults to inject from the start (tests, demos). Default none. */
  faults?: FaultOptions;
  /** Receives errors the gateway survived. Default: ignore. */
  onError?: (error: unknown) => void;
  /** Told each time the gateway closes a socket (code, reason, bytes it still had to send): logs, metrics. Default none. */
  onClose?: (event: GatewayCloseEvent) => void;
}

/** A socket the gateway closed. */
export interface GatewayCloseEvent {
  chatKey: string;
  code: number;
  reason: string;
  /** Bytes still in the socket's send buffer (a slow reader's backlog). */
  bufferedBytes: number;
}

/** A running gateway. */
export interface GatewayServer {
  /** Base URL to give clients as `gatewayUrl` (e.g. `http://127.0.0.1:43125`). */
  readonly url: string;
  readonly port: number;
  /** The limits in force (the defaults with the options applied). */
  readonly limits: Readonly<GatewayLimits>;
  /** The session of a chatKey, while held (from its first authenticated socket until it is evicted). */
  session(chatKey: string): GatewaySession | undefined;
  /** Finds or creates (and starts) a session, e.g. to publish events before anyone connects. */
  openSession(chatKey: string): GatewaySession;
  /** Sessions held now. */
  readonly sessionCount: number;
  /** Sessions evicted so far (no socket and no event for `sessionTtlMs`). */
  readonly evictedSessions: number;
  /** Open sockets, authenticated or not. */
  readonly connectionCount: number;
  /** Sockets that have not authenticated yet. */
  readonly unauthenticatedCount: number;
  /** Bytes waiting in every socket's send buffer together (what slow readers hold). */
  readonly bufferedBytes: number;
  /** Changes the injected faults (merged into the current ones). */
  setFaults(faults: FaultOptions): void;
  /** Abruptly drops every socket (of one chatKey, or all): the clients see 1006. Returns how many. */
  dropConnections(chatKey?: string): number;
  /** Makes a session forget its replay buffer but keep its status, as a hibernated server would. */
  hibernate(chatKey: string): void;
  /** Stops accepting, closes every socket (1001; cut after the grace), stops every agent, closes the HTTP server. */
  close(): Promise<void>;
}

/**
 * Starts the reference gateway (README "The reference gateway", docs/protocol.md): `GET /ws?chatKey=…` upgraded to WebSocket, one session per
 * chatKey, any number of sockets per session, every resource bounded (docs/gateway-security.md).
 * Needs the `ws` package (an optional peer dependency); rejects with a message saying so without it.
 *
 * @example
 * const gateway = await createGatewayServer({ verifyToken: createTokenVerifier(secret), agent: createDemoAgent() });
 * const client = new AgentGatewayClient({ gatewayUrl: gateway.url, token, WebSocket });
 */
export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const { WebSocketServer } = await loadWs();
  const limits = resolveLimits(options);
  const dialect = options.dialect ?? 'reference';
  const rules = { dialect, limits } as const;
  // LobeHub's ids are one integer sequence per operation, kept beyond a session's eviction.
  const sequences = dialect === 'lobehub' ? new SequenceStore() : undefined;
  let faults: FaultOptions = { ...options.faults };
  const onError = options.onError ?? (() => undefined);
  const createEventLog =
    options.createEventLog ??
    ((chatKey: string, logLimits: { maxEvents: number; maxAgeMs: number; maxBytes: number }) =>
      createMemoryEventLog({
        ...logLimits,
        ...(sequences === undefined ? {} : { sequence: { key: chatKey, sequences } }),
      }));
  const clientAddress = options.clientAddress ?? ((request) => request.socket.remoteAddress ?? 'unknown');
  const registry = new SessionRegistry({
    agent: options.agent,
    createEventLog: (chatKey) =>
      createEventLog(chatKey, {
        maxEvents: limits.maxLogEvents,
        maxAgeMs: limits.maxLogAgeMs,
        maxBytes: limits.maxLogBytes,
      }),
    sessionTtlMs: limits.sessionTtlMs,
    maxSessionsPerToken: limits.maxSessionsPerToken,
    ...(dialect === 'lobehub'
      ? {
          shapeFrames: (operationId: string) => {
            const writer = new LobeHubEventWriter(operationId);
            return (frame: PublishedFrame) => writer.frames(frame);
          },
        }
      : {}),
  });
  const quota = new UnauthenticatedQuota(limits);
  // What every socket shares: made once, so a socket costs its own state and nothing more.
  const shared: ConnectionHost = {
    rules,
    limits,
    pacer: new ReplayPacer(onError),
    async authenticate(token, chatKey) {
      const check = await options.verifyToken(token, chatKey);
      if (!check.ok) return { check };
      const session = registry.admit(chatKey, check.subject ?? token);
      if (session === undefined) return { check: { ok: false, reason: 'Too many sessions for this token' } };
      return { check, session };
    },
    attach: (chatKey) => registry.attach(chatKey),
    faults: () => faults,
    onError,
    onClose: (chatKey, close, bufferedBytes) =>
      options.onClose?.({ chatKey, code: close.code, reason: close.reason, bufferedBytes }),
  };
  const socketsByChatKey = new Map<string, Set<WebSocket>>();
  const connections = new Map<WebSocket, Connection>();

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes });
  const runs: RunStarter = {
    verifyToken: options.verifyToken,
    bodyTimeoutMs: limits.runBodyTimeoutMs,
    hasAgent: options.agent !== undefined,
    startRun: (chatKey, subject, prompt) => registry.startRun(chatKey, subject, prompt),
  };
  const routeRuns: HttpRoute = (request, response) => {
    if (new URL(request.url ?? '/', 'http://gateway').pathname !== '/runs') return false;
    serveRunRequest(request, response, runs).catch((error: unknown) => {
      onError(error);
      response.destroy();
    });
    return true;
  };
  const http = createHttpServer(limits, onError, options.runs === true ? [routeRuns] : []);

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', onError);
    const url = new URL(request.url ?? '/', 'http://gateway');
    const chatKey = url.searchParams.get(sessionKeyParameter(dialect));
    if (url.pathname !== '/ws') return refuseUpgrade(socket, 404);
    if (!chatKey) return refuseUpgrade(socket, 400);
    const slot = quota.take(clientAddress(request));
    if (!slot.ok) return refuseUpgrade(socket, slot.status);
    // A handshake that fails never reaches the callback: its place comes back when the socket closes.
    socket.once('close', slot.release);
    wss.handleUpgrade(request, socket, head, (ws) => {
      const group = socketsByChatKey.get(chatKey) ?? new Set();
      socketsByChatKey.set(chatKey, group);
      group.add(ws);
      ws.on('close', () => {
        group.delete(ws);
        connections.delete(ws);
        if (group.size === 0) socketsByChatKey.delete(chatKey);
      });
      const connection = new Connection(ws, shared, chatKey, socket, slot.release);
      connections.set(ws, connection);
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    limits,
    session: (chatKey) => registry.get(chatKey),
    openSession: (chatKey) => registry.open(chatKey),
    get sessionCount() {
      return registry.size;
    },
    get evictedSessions() {
      return registry.evictions;
    },
    get connectionCount() {
      return wss.clients.size;
    },
    get unauthenticatedCount() {
      return quota.size;
    },
    get bufferedBytes() {
      let bytes = 0;
      for (const ws of wss.clients) bytes += ws.bufferedAmount;
      return bytes;
    },
    setFaults(next) {
      faults = { ...faults, ...next };
    },
    dropConnections(chatKey) {
      const targets = chatKey === undefined ? [...wss.clients] : [...(socketsByChatKey.get(chatKey) ?? [])];
      for (const ws of targets) ws.terminate();
      return targets.length;
    },
    hibernate(chatKey) {
      registry.get(chatKey)?.hibernate();
    },
    async close() {
      const sockets = [...wss.clients];
      const allClosed = Promise.all(
        sockets.map(
          (ws) =>
            new Promise<void>((resolve) =>
              ws.readyState === ws.CLOSED ? resolve() : ws.once('close', resolve),
            ),
        ),
      );
      for (const ws of sockets) {
        const connection = connections.get(ws);
        if (connection === undefined) ws.terminate();
        else connection.end(Closes.shuttingDown);
      }
      registry.evictAll();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await allClosed;
    },
  };
}
