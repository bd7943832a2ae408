/**
 * The Cloudflare gateway on this machine: the Worker bundled with esbuild and run by Miniflare in a
 * local workerd (offline, real Durable Objects with SQLite storage and hibernation). Needs the dev
 * dependencies `miniflare` and `esbuild`; for tests and the demo, not for production.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { createRuntimeClient, type RuntimeClient } from './runtimeClient.js';

/** Options of {@link startLocalGateway}. */
export interface LocalGatewayOptions {
  /** The Worker's `GATEWAY_SECRET`: signs tokens (`createSessionToken`) and guards the runtime API. Required. */
  secret: string;
  /** TCP port; `0` picks a free one. Default `0`. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Close a socket that has not authenticated after this long (4008). Default: `wrangler.jsonc` (5 000 ms). */
  authTimeoutMs?: number;
  /** Largest accepted frame (1009 beyond). Default: `wrangler.jsonc` (64 KiB). */
  maxFrameBytes?: number;
  /** Per-socket frame budget (4429 beyond). Default: `wrangler.jsonc` (100 at once, 50/s). */
  rateLimit?: { burst: number; perSecond: number };
}

/** A running local gateway. */
export interface LocalGateway {
  /** Base URL to give clients as `gatewayUrl` and the runtime client as `url`. */
  readonly url: string;
  /** The runtime API, already pointed at this gateway with its secret. */
  readonly runtime: RuntimeClient;
  /** Stops workerd (every socket drops). */
  close(): Promise<void>;
}

interface WranglerConfig {
  main: string;
  compatibility_date: string;
  durable_objects: { bindings: Array<{ name: string; class_name: string }> };
  vars?: Record<string, string>;
}

const root = fileURLToPath(new URL('../../../', import.meta.url));
let bundled: Promise<{ code: string; config: WranglerConfig }> | undefined;

// `wrangler.jsonc` stays the one description of the Worker: entry, compatibility date, bindings, vars.
async function readWranglerConfig(): Promise<WranglerConfig> {
  const text = await readFile(`${root}wrangler.jsonc`, 'utf8');
  // JSONC: whole-line comments and trailing commas (the file has no `//` or `,}` inside strings).
  const json = text.replace(/^\s*\/\/.*$/gm, '').replace(/,(\s*[}\]])/g, '$1');
  return JSON.parse(json) as WranglerConfig;
}

/** Bundles the Worker once per process, as `wrangler deploy` would (ESM, `cloudflare:*` left to workerd). */
export function bundleWorker(): Promise<{ code: string; config: WranglerConfig }> {
  bundled ??= (async () => {
    const config = await readWranglerConfig();
    const result = await build({
      entryPoints: [`${root}${config.main}`],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      external: ['cloudflare:*'],
      write: false,
      logLevel: 'silent',
    });
    return { code: result.outputFiles[0]?.text ?? '', config };
  })();
  return bundled;
}

/**
 * Starts the Cloudflare gateway in a local workerd (ready in well under a second once bundled).
 *
 * @example
 * const gateway = await startLocalGateway({ secret });
 * const client = new AgentGatewayClient({ gatewayUrl: gateway.url, token: createSessionToken({ secret, chatKey }), WebSocket });
 */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const { code, config } = await bundleWorker();
  const vars: Record<string, string> = { ...config.vars, GATEWAY_SECRET: options.secret };
  if (options.authTimeoutMs !== undefined) vars.AUTH_TIMEOUT_MS = String(options.authTimeoutMs);
  if (options.maxFrameBytes !== undefined) vars.MAX_FRAME_BYTES = String(options.maxFrameBytes);
  if (options.rateLimit !== undefined) {
    vars.RATE_LIMIT_BURST = String(options.rateLimit.burst);
    vars.RATE_LIMIT_PER_SECOND = String(options.rateLimit.perSecond);
  }
  const durableObjects = Object.fromEntries(
    config.durable_objects.bindings.map(({ name, class_name }) => [
      name,
      { className: class_name, useSQLite: true },
    ]),
  );
  const miniflare = new Miniflare({
    modules: [{ type: 'ESModule', path: `${root}worker.js`, contents: code }],
    compatibilityDate: config.compatibility_date,
    durableObjects,
    bindings: vars,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
  });
  const url = (await miniflare.ready).href.replace(/\/+$/, '');
  return {
    url,
    runtime: createRuntimeClient({ url, secret: options.secret }),
    close: () => miniflare.dispose(),
  };
}
