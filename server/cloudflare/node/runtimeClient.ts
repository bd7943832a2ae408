import type { SessionEventMessage } from '../../../src/protocol/types.js';
import type {
  AppendFrame,
  CommandsResponse,
  DisconnectResponse,
  EventsResponse,
  SessionState,
} from '../api.js';

/** Options of {@link createRuntimeClient}. */
export interface RuntimeClientOptions {
  /** Base URL of the gateway Worker (e.g. `https://agent-gateway.example.workers.dev`). Required. */
  url: string;
  /** The Worker's `RUNTIME_API_KEY` (not the token-signing secret), sent as a bearer token. Required. */
  apiKey: string;
  /** `fetch` implementation. Default: the global one. */
  fetch?: typeof fetch;
}

/** A failed runtime API call: the HTTP status and the gateway's message. */
export class RuntimeApiError extends Error {
  override readonly name = 'RuntimeApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** One session of the Cloudflare gateway, seen from an agent runtime. */
export interface RuntimeSessionClient {
  readonly chatKey: string;
  /** What the session's object holds (status, counts, current in-memory instance). */
  state(): Promise<SessionState>;
  /** Every stored event, in order. */
  log(): Promise<SessionEventMessage[]>;
  /** Appends events (without ids); returns them as stored, with their ids. */
  append(frames: AppendFrame | readonly AppendFrame[]): Promise<SessionEventMessage[]>;
  /** Commands applied after `after`; waits up to `waitMs` (default 0) for one to arrive. */
  commands(after: number, options?: { waitMs?: number; signal?: AbortSignal }): Promise<CommandsResponse>;
  /** Closes every socket of the session (1012); returns how many. */
  disconnect(): Promise<number>;
}

/** A client of the gateway's runtime API. */
export interface RuntimeClient {
  /** The API of one chatKey's session. */
  session(chatKey: string): RuntimeSessionClient;
}

/**
 * The agent runtime's side of the Cloudflare gateway's HTTP API (`/sessions/:chatKey/…`): works
 * against `wrangler deploy`ed Workers and the local workerd alike. Uses only `fetch`.
 *
 * @example
 * const runtime = createRuntimeClient({ url: 'https://gw.example.workers.dev', apiKey: process.env.RUNTIME_API_KEY });
 * await runtime.session('chat-1').append({ type: 'status_change', status: 'running' });
 */
export function createRuntimeClient(options: RuntimeClientOptions): RuntimeClient {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;

  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await doFetch(`${base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
    });
    if (!response.ok) {
      const body = await response.text();
      let message = body;
      try {
        message = (JSON.parse(body) as { error?: string }).error ?? body;
      } catch {
        // a plain-text answer (e.g. from the Worker itself)
      }
      throw new RuntimeApiError(
        response.status,
        `${init.method ?? 'GET'} ${path}: ${response.status} ${message}`,
      );
    }
    return (await response.json()) as T;
  };

  return {
    session(chatKey) {
      const path = `/sessions/${encodeURIComponent(chatKey)}`;
      return {
        chatKey,
        state: () => call<SessionState>(path),
        log: async () => (await call<EventsResponse>(`${path}/log`)).events,
        append: async (frames) =>
          (await call<EventsResponse>(`${path}/events`, { method: 'POST', body: JSON.stringify(frames) }))
            .events,
        commands: (after, { waitMs = 0, signal } = {}) =>
          call<CommandsResponse>(
            `${path}/commands?after=${after}&waitMs=${waitMs}`,
            signal ? { signal } : {},
          ),
        disconnect: async () =>
          (await call<DisconnectResponse>(`${path}/disconnect`, { method: 'POST' })).closed,
      };
    },
  };
}
