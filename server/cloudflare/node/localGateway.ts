/**
 * The Cloudflare gateway on this machine: the Worker bundled with esbuild and run by Miniflare in a
 * local workerd (offline, real Durable Objects with SQLite storage and hibernation). Needs the dev
 * dependencies `miniflare` and `esbuild`; for tests and the demo, not for production.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import type { GatewayLimits } from '../../core/limits.js';
import { LIMIT_VARS, RATE_LIMIT_VARS } from '../settings.js';
import { createRuntimeClient, type RuntimeClient } from './runtimeClient.js';

/** Options of {@link startLocalGateway}: the Worker's secrets, where it listens, and any limit the Durable Object enforces (default `server/core/limits.ts`). */
export interface LocalGatewayOptions extends Partial<
  Pick<GatewayLimits, keyof typeof LIMIT_VARS | 'rateLimit'>
> {
  /** The Worker's `GATEWAY_SECRET`: signs tokens (`createSessionToken`), ≥ 32 bytes. Required. */
  secret: string;
  /** The Worker's `RUNTIME_API_KEY`, the runtime API's bearer key. Default: random (see `runtimeKey` of the result). */
  runtimeKey?: string;
  /** TCP port; `0` picks a free one. Default `0`. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
}

/** A running local gateway. */
export interface LocalGateway {
  /** Base URL to give clients as `gatewayUrl` and the runtime client as `url`. */
  readonly url: string;
  /** The runtime API, already pointed at this gateway with its key. */
  readonly runtime: RuntimeClient;
  /** The runtime API's bearer key (`RUNTIME_API_KEY`). */
  readonly runtimeKey: string;
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
  const runtimeKey = options.runtimeKey ?? randomBytes(32).toString('base64url');
  const vars: Record<string, string> = {
    ...config.vars,
    GATEWAY_SECRET: options.secret,
    RUNTIME_API_KEY: runtimeKey,
  };
  for (const [limit, name] of Object.entries(LIMIT_VARS) as Array<[keyof typeof LIMIT_VARS, string]>) {
    const value = options[limit];
    if (value !== undefined) vars[name] = String(value);
  }
  if (options.rateLimit !== undefined) {
    vars[RATE_LIMIT_VARS.burst] = String(options.rateLimit.burst);
    vars[RATE_LIMIT_VARS.perSecond] = String(options.rateLimit.perSecond);
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
    runtime: createRuntimeClient({ url, apiKey: runtimeKey }),
    runtimeKey,
    close: () => miniflare.dispose(),
  };
}
