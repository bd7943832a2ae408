import { createDemoAgent } from '../../demoAgent.js';
import { startLocalGateway } from './localGateway.js';
import { runRemoteAgent } from './remoteAgent.js';
import { createRuntimeClient, type RuntimeClient } from './runtimeClient.js';

/** Options of {@link startCloudflareDemo}. */
export interface CloudflareDemoOptions {
  /** The Worker's `GATEWAY_SECRET` (token signing), ≥ 32 bytes. Required. */
  secret: string;
  /** The Worker's `RUNTIME_API_KEY`. Required with `url`; a local gateway gets a random one. */
  apiKey?: string;
  /** A deployed (or `wrangler dev`) gateway to use; default: start one in a local workerd. */
  url?: string;
  /** Streaming speed of the scripted agent. Default 40 tokens/s. */
  tokensPerSecond?: number;
  /** Receives a failed agent run. Default: `console.error`. */
  onError?: (error: unknown) => void;
}

/** The Cloudflare gateway with the scripted demo agent, as the demo page and terminal use it. */
export interface CloudflareDemo {
  /** `gatewayUrl` for clients. */
  readonly url: string;
  readonly runtime: RuntimeClient;
  /** Runs the demo agent on a session, once per chatKey (the Node gateway does this on the first auth). */
  startSession(chatKey: string): Promise<void>;
  /** Closes every socket of a session (1012): the clients reconnect and resume. */
  drop(chatKey: string): Promise<number>;
  /** Abandons the agent runs and stops the local workerd, if one was started. */
  close(): Promise<void>;
}

/**
 * Starts the demo on the Durable Object gateway: a local workerd (or the given URL), with the same
 * scripted agent as the embedded Node gateway, run in this process over the runtime API.
 *
 * @example
 * const demo = await startCloudflareDemo({ secret });
 * await demo.startSession('chat-1');
 */
export async function startCloudflareDemo(options: CloudflareDemoOptions): Promise<CloudflareDemo> {
  if (options.url !== undefined && options.apiKey === undefined)
    throw new TypeError('startCloudflareDemo needs the apiKey (RUNTIME_API_KEY) of the gateway at url');
  const local =
    options.url === undefined
      ? await startLocalGateway({
          secret: options.secret,
          ...(options.apiKey ? { runtimeKey: options.apiKey } : {}),
        })
      : undefined;
  const url = local?.url ?? options.url ?? '';
  const runtime = local?.runtime ?? createRuntimeClient({ url, apiKey: options.apiKey ?? '' });
  const onError = options.onError ?? ((error: unknown) => console.error('[demo agent]', error));
  const stop = new AbortController();
  const runs = new Map<string, Promise<void>>();
  return {
    url,
    runtime,
    startSession(chatKey) {
      let run = runs.get(chatKey);
      if (run === undefined) {
        run = runRemoteAgent({
          session: runtime.session(chatKey),
          agent: createDemoAgent({ tokensPerSecond: options.tokensPerSecond ?? 40 }),
          signal: stop.signal,
        }).catch(onError);
        runs.set(chatKey, run);
      }
      return run;
    },
    drop: (chatKey) => runtime.session(chatKey).disconnect(),
    async close() {
      stop.abort();
      await Promise.all(runs.values());
      await local?.close();
    },
  };
}
