import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { handleConnection } from './connection.js';
import type { GatewayDialect } from './core/dialect.js';
import { createMemoryEventLog, type EventLog } from './eventLog.js';
import type { FaultOptions } from './faults.js';
import { type Agent, GatewaySession } from './session.js';
import type { TokenVerifier } from './tokens.js';

/** Options of {@link createGatewayServer}. */
export interface GatewayServerOptions {
  /** Checks each `auth` token for its chatKey. Required (see `createTokenVerifier`). */
  verifyToken: TokenVerifier;
  /**
   * `original` plays the original gateway exactly (bare `auth_success`, live events as soon as a
   * socket is authenticated, `resume` a plain replay request, no `resume_complete`, no `auth_expired`,
   * no command deduplication), for compatibility tests. Default `reference` (every extension, announced).
   */
  dialect?: GatewayDialect;
  /** The agent each new session runs. Default none: events come only from `session.publish`. */
  agent?: Agent;
  /** TCP port; `0` picks a free one. Default `0`. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Close a socket that has not authenticated after this long (4008). Default 5 000 ms. */
  authTimeoutMs?: number;
  /** Largest accepted frame; bigger ones close the socket with 1009. Default 64 KiB. */
  maxFrameBytes?: number;
  /** Per-socket token bucket: `burst` frames at once, refilled at `perSecond`; beyond it, 4429. Default 100 / 50. */
  rateLimit?: { burst: number; perSecond: number };
  /** Makes the event log of a new session. Default: in memory. */
  createEventLog?: (chatKey: string) => EventLog;
  /** Faults to inject from the start (tests, demos). Default none. */
  faults?: FaultOptions;
  /** Receives errors the gateway survived. Default: ignore. */
  onError?: (error: unknown) => void;
}

/** A running gateway. */
export interface GatewayServer {
  /** Base URL to give clients as `gatewayUrl` (e.g. `http://127.0.0.1:43125`). */
  readonly url: string;
  readonly port: number;
  /** The session of a chatKey, once a socket authenticated for it. */
  session(chatKey: string): GatewaySession | undefined;
  /** Finds or creates (and starts) a session, e.g. to publish events before anyone connects. */
  openSession(chatKey: string): GatewaySession;
  /** Open sockets, authenticated or not. */
  readonly connectionCount: number;
  /** Changes the injected faults (merged into the current ones). */
  setFaults(faults: FaultOptions): void;
  /** Abruptly drops every socket (of one chatKey, or all): the clients see 1006. Returns how many. */
  dropConnections(chatKey?: string): number;
  /** Makes a session forget its replay buffer but keep its status, as a hibernated server would. */
  hibernate(chatKey: string): void;
  /** Stops accepting, closes every socket (1001) and the HTTP server. */
  close(): Promise<void>;
}

/**
 * Starts the reference gateway (SPEC §8): `GET /ws?chatKey=…` upgraded to WebSocket, one session per
 * chatKey, any number of sockets per session.
 *
 * @example
 * const gateway = await createGatewayServer({ verifyToken: createTokenVerifier(secret), agent: createDemoAgent() });
 * const client = new AgentGatewayClient({ gatewayUrl: gateway.url, token, WebSocket });
 */
export async function createGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const sessions = new Map<string, GatewaySession>();
  const socketsByChatKey = new Map<string, Set<WebSocket>>();
  let faults: FaultOptions = { ...options.faults };
  const onError = options.onError ?? (() => undefined);
  const createEventLog = options.createEventLog ?? (() => createMemoryEventLog());

  const openSession = (chatKey: string) => {
    let session = sessions.get(chatKey);
    if (session === undefined) {
      session = new GatewaySession(chatKey, createEventLog(chatKey));
      sessions.set(chatKey, session);
      session.start(options.agent);
    }
    return session;
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? 64 * 1024 });
  const http: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://gateway').pathname;
    response.writeHead(path === '/health' ? 200 : 404, { 'content-type': 'text/plain' });
    response.end(path === '/health' ? 'ok' : 'Not found');
  });

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', onError);
    const url = new URL(request.url ?? '/', 'http://gateway');
    const chatKey = url.searchParams.get('chatKey');
    if (url.pathname !== '/ws' || !chatKey) {
      socket.end(`HTTP/1.1 ${url.pathname !== '/ws' ? '404 Not Found' : '400 Bad Request'}\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const group = socketsByChatKey.get(chatKey) ?? new Set();
      socketsByChatKey.set(chatKey, group);
      group.add(ws);
      ws.on('close', () => {
        group.delete(ws);
        if (group.size === 0) socketsByChatKey.delete(chatKey);
      });
      handleConnection(ws, {
        chatKey,
        dialect: options.dialect ?? 'reference',
        verifyToken: options.verifyToken,
        openSession,
        authTimeoutMs: options.authTimeoutMs ?? 5_000,
        rateLimit: options.rateLimit ?? { burst: 100, perSecond: 50 },
        faults: () => faults,
        onError,
      });
    });
  });
  http.on('clientError', (error, socket) => {
    onError(error);
    socket.destroy();
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
    session: (chatKey) => sessions.get(chatKey),
    openSession,
    get connectionCount() {
      return wss.clients.size;
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
      sessions.get(chatKey)?.hibernate();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.close(1001, 'Gateway shutting down');
        wss.close();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
