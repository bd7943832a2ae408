/**
 * The gateway as a Cloudflare Worker (deploy with `wrangler deploy`, see docs/cloudflare.md): every
 * chatKey is routed to its own Durable Object, which speaks the protocol of docs/protocol.md.
 *
 * - `GET /ws?chatKey=…` (WebSocket upgrade) → the session's object.
 * - `/sessions/:chatKey/…` → the agent runtime API (`Authorization: Bearer <RUNTIME_API_KEY>`).
 * - `GET /health` → `ok`.
 */
import type { SessionObject } from './sessionObject.js';
import { type GatewayVars, runtimeKeyProblem, signingSecretProblem } from './settings.js';
import { timingSafeEqual } from './verifyToken.js';

export { SessionObject } from './sessionObject.js';
export type { GatewayVars } from './settings.js';

/** Bindings and vars of the gateway Worker (`wrangler.jsonc`). */
export type Env = GatewayVars & {
  /** One Durable Object per chatKey. */
  SESSIONS: DurableObjectNamespace<SessionObject>;
};

const text = (status: number, body: string, headers?: HeadersInit) =>
  new Response(body, { status, headers: { 'content-type': 'text/plain', ...headers } });

function sessionOf(env: Env, chatKey: string) {
  return env.SESSIONS.get(env.SESSIONS.idFromName(chatKey));
}

/** The Worker's fetch handler: routes by chatKey; checks the runtime's bearer key before waking an object. */
export default {
  async fetch(request, env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/health') return text(200, 'ok');
    if (url.pathname === '/ws') {
      const misconfigured = signingSecretProblem(env);
      if (misconfigured) return text(500, misconfigured);
      const chatKey = url.searchParams.get('chatKey');
      if (!chatKey) return text(400, 'Missing chatKey');
      if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket')
        return text(426, 'Expected a WebSocket upgrade');
      return sessionOf(env, chatKey).fetch(request);
    }
    const match = /^\/sessions\/([^/]+)/.exec(url.pathname);
    if (match !== null) {
      const misconfigured = runtimeKeyProblem(env);
      if (misconfigured) return text(500, misconfigured);
      const presented = request.headers.get('Authorization') ?? '';
      if (!timingSafeEqual(presented, `Bearer ${env.RUNTIME_API_KEY}`))
        return text(401, 'Unauthorized', { 'www-authenticate': 'Bearer' });
      let chatKey: string;
      try {
        chatKey = decodeURIComponent(match[1] ?? '');
      } catch {
        return text(400, 'Malformed chatKey');
      }
      return sessionOf(env, chatKey).fetch(request);
    }
    return text(404, 'Not found');
  },
} satisfies ExportedHandler<Env>;
