import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayLimits } from './core/limits.js';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** Answers one HTTP request, or returns `false` to leave it to the next route. */
export type HttpRoute = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The gateway's HTTP server: `/health`, the extra `routes` (the gateway's `POST /runs`), 404
 * elsewhere (upgrades are the gateway's), and a short deadline for request headers, so a client that
 * opens a connection and dawdles is cut.
 */
export function createHttpServer(
  limits: Pick<GatewayLimits, 'headersTimeoutMs'>,
  onError: (error: unknown) => void,
  routes: HttpRoute[] = [],
): Server {
  const http = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: Math.max(limits.headersTimeoutMs, 30_000),
      // Node checks both deadlines on this period (default 30 s): keep it finer than the deadline.
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    (request, response) => {
      if (routes.some((route) => route(request, response))) return;
      const path = new URL(request.url ?? '/', 'http://gateway').pathname;
      response.writeHead(path === '/health' ? 200 : 404, { 'content-type': 'text/plain' });
      response.end(path === '/health' ? 'ok' : 'Not found');
    },
  );
  http.on('clientError', (error, socket) => {
    onError(error);
    socket.destroy();
  });
  return http;
}

/** Answers an upgrade with an HTTP error and cuts the connection (no WebSocket handshake). */
export function refuseUpgrade(socket: Duplex, status: number): void {
  const retry = status === 429 || status === 503 ? 'Retry-After: 5\r\n' : '';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n${retry}Connection: close\r\nContent-Length: 0\r\n\r\n`,
  );
}
