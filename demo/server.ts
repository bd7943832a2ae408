import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer as createViteServer, type ViteDevServer } from 'vite';
import {
  createDemoAgent,
  createGatewayServer,
  createSessionToken,
  createTokenVerifier,
  type GatewayDialect,
  type GatewayServer,
} from '../server/index.js';
import { startCloudflareDemo } from '../server/cloudflare/node/cloudflareDemo.js';

/** Which gateway the demo runs on: the embedded Node one, or the Durable Object one in a local workerd. */
export type DemoEngine = 'node' | 'cloudflare';

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Port of the page. Default 5173; `0` picks a free one. */
  port?: number;
  /** Streaming speed of the scripted agent. Default 40 tokens/s. */
  tokensPerSecond?: number;
  /** Lifetime of the tokens the page gets (short values show auth_expired → refresh). Default 5 minutes. */
  tokenTtlMs?: number;
  /** The gateway: `node` (embedded, in memory) or `cloudflare` (Durable Objects in a local workerd). Default `node`. */
  engine?: DemoEngine;
  /** The Node gateway's dialect (`original` plays the original gateway, `lobehub` LobeHub's v1). Default `reference`; `cloudflare` only speaks `reference`. */
  dialect?: GatewayDialect;
}

/** A running demo: the page's URL, its gateway, and a way to stop both. */
export interface RunningDemo {
  url: string;
  engine: DemoEngine;
  /** The gateway's base URL (what the page's client connects to). */
  gatewayUrl: string;
  /** The embedded Node gateway (`undefined` with the `cloudflare` engine). */
  gateway: GatewayServer | undefined;
  close(): Promise<void>;
}

/** What the page's backend needs from a gateway, whichever the engine. */
interface DemoGateway {
  url: string;
  gateway: GatewayServer | undefined;
  /** Called before each token is issued: the Cloudflare engine starts the agent run of a new session. */
  openSession(chatKey: string): void;
  /** Starts a run of the agent on a prompt in a new session (the AI SDK tab's `startRun`). */
  startRun(chatKey: string, prompt: string): Promise<void>;
  drop(chatKey: string): Promise<number>;
  close(): Promise<void>;
}

async function startGateway(secret: string, options: DemoOptions): Promise<DemoGateway> {
  const tokensPerSecond = options.tokensPerSecond ?? 40;
  if (options.engine === 'cloudflare') {
    if ((options.dialect ?? 'reference') !== 'reference')
      throw new Error(`The ${options.dialect} dialect runs on the Node engine only`);
    const demo = await startCloudflareDemo({ secret, tokensPerSecond });
    return {
      url: demo.url,
      gateway: undefined,
      openSession: (chatKey) => void demo.startSession(chatKey),
      // The Durable Object engine's runtime API takes no prompt: the scripted run is the same.
      startRun: async (chatKey) => void (await demo.startSession(chatKey)),
      drop: (chatKey) => demo.drop(chatKey),
      close: () => demo.close(),
    };
  }
  const gateway = await createGatewayServer({
    dialect: options.dialect ?? 'reference',
    verifyToken: createTokenVerifier(secret),
    agent: createDemoAgent({ tokensPerSecond }),
    runs: true,
  });
  return {
    url: gateway.url,
    gateway,
    openSession: () => undefined, // the Node gateway starts the agent on the first auth
    // As an app's backend would: the gateway's POST /runs with a token for the new chatKey.
    async startRun(chatKey, prompt) {
      const response = await fetch(`${gateway.url}/runs`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${createSessionToken({ secret, chatKey })}`,
        },
        body: JSON.stringify({ chatKey, prompt }),
      });
      if (response.status !== 201)
        throw new Error(`POST /runs answered ${response.status}: ${await response.text()}`);
    },
    drop: async (chatKey) => gateway.dropConnections(chatKey),
    close: () => gateway.close(),
  };
}

const root = fileURLToPath(new URL('./web/', import.meta.url));

/** A small JSON request body (the demo's own API). */
function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.length > 16_384) request.destroy(new Error('Request body too large'));
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(text || '{}') as Record<string, unknown>);
      } catch (error) {
        reject(error as Error);
      }
    });
    request.on('error', reject);
  });
}

/**
 * Starts a gateway with the scripted agent (the embedded in-memory one by default, or the Durable
 * Object one in a local workerd), plus the page's own backend: it hands out signed tokens (as an
 * app's backend would) and can drop a session's links on request (the page's "drop connection"
 * control simulates a network failure on the gateway side).
 */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const secret = randomBytes(32).toString('base64url');
  const gateway = await startGateway(secret, options);
  const vite: ViteDevServer = await createViteServer({
    root,
    configFile: fileURLToPath(new URL('./web/vite.config.ts', import.meta.url)),
    // No hot reload: Vite's HMR socket listens on one fixed port, so a second demo (an e2e run beside
    // another) fails to connect and the page logs "WebSocket closed without opened.".
    server: { middlewareMode: true, hmr: false },
    appType: 'spa',
    logLevel: 'warn',
  });

  const api = (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = new URL(request.url ?? '/', 'http://demo');
    const json = (body: unknown, status = 200) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    const chatKey = url.searchParams.get('chatKey') ?? '';
    switch (url.pathname) {
      case '/api/config':
        return (json({ gatewayUrl: gateway.url, dialect: options.dialect ?? 'reference' }), true);
      case '/api/token':
        if (chatKey) gateway.openSession(chatKey);
        return (
          json({ token: createSessionToken({ secret, chatKey, ttlMs: options.tokenTtlMs ?? 300_000 }) }),
          true
        );
      case '/api/runs': {
        // The page's AI SDK chat: a new chatKey per run, started on the prompt it sends.
        const runKey = `demo-${randomBytes(4).toString('hex')}`;
        void readJson(request)
          .then((body) => gateway.startRun(runKey, typeof body.prompt === 'string' ? body.prompt : ''))
          .then(
            () => json({ chatKey: runKey }),
            (error: unknown) => json({ error: String(error) }, 502),
          );
        return true;
      }
      case '/api/drop':
        void gateway.drop(chatKey).then(
          (dropped) => json({ dropped }),
          (error: unknown) => json({ dropped: 0, error: String(error) }),
        );
        return true;
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
    engine: options.engine ?? 'node',
    gatewayUrl: gateway.url,
    gateway: gateway.gateway,
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
