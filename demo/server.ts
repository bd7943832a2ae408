import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer as createViteServer, type ViteDevServer } from 'vite';
import {
  createDemoAgent,
  createGatewayServer,
  createSessionToken,
  createTokenVerifier,
  type GatewayServer,
} from '../server/index.js';

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Port of the page. Default 5173; `0` picks a free one. */
  port?: number;
  /** Streaming speed of the scripted agent. Default 40 tokens/s. */
  tokensPerSecond?: number;
  /** Lifetime of the tokens the page gets (short values show auth_expired → refresh). Default 5 minutes. */
  tokenTtlMs?: number;
}

/** A running demo: the page's URL, its embedded gateway, and a way to stop both. */
export interface RunningDemo {
  url: string;
  gateway: GatewayServer;
  close(): Promise<void>;
}

const root = fileURLToPath(new URL('./web/', import.meta.url));

/**
 * Starts the embedded in-memory gateway with the scripted agent, plus the page's own backend: it
 * hands out signed tokens (as an app's backend would) and can drop a session's links on request
 * (the page's "drop connection" control simulates a network failure on the gateway side).
 */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const secret = `demo-${Math.random().toString(36).slice(2)}`;
  const gateway = await createGatewayServer({
    verifyToken: createTokenVerifier(secret),
    agent: createDemoAgent({ tokensPerSecond: options.tokensPerSecond ?? 40 }),
  });
  const vite: ViteDevServer = await createViteServer({
    root,
    configFile: fileURLToPath(new URL('./web/vite.config.ts', import.meta.url)),
    server: { middlewareMode: true },
    appType: 'spa',
    logLevel: 'warn',
  });

  const api = (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = new URL(request.url ?? '/', 'http://demo');
    const json = (body: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    const chatKey = url.searchParams.get('chatKey') ?? '';
    switch (url.pathname) {
      case '/api/config':
        return (json({ gatewayUrl: gateway.url }), true);
      case '/api/token':
        return (
          json({ token: createSessionToken({ secret, chatKey, ttlMs: options.tokenTtlMs ?? 300_000 }) }),
          true
        );
      case '/api/drop':
        return (json({ dropped: gateway.dropConnections(chatKey) }), true);
      default:
        return false;
    }
  };

  const http = createServer((request, response) => {
    if (!api(request, response)) vite.middlewares(request, response);
  });
  await new Promise<void>((resolve) => http.listen(options.port ?? 5173, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    gateway,
    close: async () => {
      await vite.close();
      await new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      });
      await gateway.close();
    },
  };
}
