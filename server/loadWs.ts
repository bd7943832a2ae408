import type * as Ws from 'ws';

/** What an installation without `ws` is told, by `createGatewayServer` and the `agent-gateway` CLI. */
export const WS_MISSING_MESSAGE =
  'The Node gateway needs the ws package, an optional peer dependency of agent-gateway-client: npm install ws';

/**
 * Loads `ws` when a gateway starts. It is an optional peer dependency, so importing
 * `agent-gateway-client/server` for `createSessionToken` alone works without it; starting a gateway
 * without it fails with {@link WS_MISSING_MESSAGE}.
 */
export async function loadWs(): Promise<typeof Ws> {
  try {
    return await import('ws');
  } catch (error) {
    // Only ws itself missing: an error from inside an installed ws stays as it is.
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String(error).includes("'ws'")) {
      throw new Error(WS_MISSING_MESSAGE, { cause: error });
    }
    throw error;
  }
}
