import { readServerFrame } from '../../src/protocol/parse.js';
import type { SessionEventMessage } from '../../src/protocol/types.js';
import type {
  AppendFrame,
  CommandsResponse,
  DisconnectResponse,
  EventsResponse,
  SessionState,
} from './api.js';
import { SessionEndedError } from './sessionStore.js';

/** What the runtime API needs from a session's Durable Object (also callable over RPC). */
export interface RuntimeSession {
  /** Throws `SessionEndedError` for frames after `session_complete` (the whole batch is refused). */
  append(frames: readonly AppendFrame[]): SessionEventMessage[];
  log(): SessionEventMessage[];
  commands(after: number, waitMs: number): Promise<CommandsResponse>;
  state(chatKey: string): SessionState;
  disconnect(): number;
}

const EVENT_TYPES: ReadonlySet<string> = new Set([
  'agent_event',
  'status_change',
  'tool_confirmation_request',
  'input_request',
  'session_complete',
  'error',
]);

const problem = (status: number, message: string) => Response.json({ error: message }, { status });

/** Validates an appended frame with the protocol's own server-frame validator; returns why not, if not. */
function refusal(frame: unknown): string | undefined {
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame))
    return 'an event must be an object';
  const type = (frame as { type?: unknown }).type;
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) return `not a session event type: ${String(type)}`;
  const checked = readServerFrame(JSON.stringify({ ...frame, id: 'pending' }));
  return checked instanceof Error ? checked.message : undefined;
}

async function appendFrom(session: RuntimeSession, request: Request): Promise<Response> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return problem(400, 'body is not JSON');
  }
  const frames: unknown[] = Array.isArray(body) ? body : [body];
  for (const frame of frames) {
    const why = refusal(frame);
    if (why !== undefined) return problem(400, why);
  }
  // An `id` sent by the runtime is replaced: the gateway issues ids.
  const cleaned = frames.map((frame) => {
    const { id: _id, ...rest } = frame as Record<string, unknown>;
    return rest as AppendFrame;
  });
  try {
    return Response.json({ events: session.append(cleaned) } satisfies EventsResponse);
  } catch (error) {
    if (error instanceof SessionEndedError) return problem(409, 'the session has ended');
    throw error;
  }
}

/**
 * The agent runtime's HTTP API inside the session's object (the Worker checked the bearer secret):
 * `GET /sessions/:chatKey` state, `GET …/log` events, `POST …/events` append (one frame or an
 * array, without ids), `GET …/commands?after=N&waitMs=M` applied commands (long poll), `POST
 * …/disconnect` close every socket (1012).
 */
export async function handleRuntimeRequest(
  session: RuntimeSession,
  request: Request,
  url: URL,
): Promise<Response> {
  const match = /^\/sessions\/([^/]+)(?:\/(events|log|commands|disconnect))?\/?$/.exec(url.pathname);
  if (match === null) return problem(404, 'no such route');
  const chatKey = decodeURIComponent(match[1] ?? '');
  const route = `${request.method} ${match[2] ?? ''}`;
  switch (route) {
    case 'GET ':
      return Response.json(session.state(chatKey));
    case 'GET log':
      return Response.json({ events: session.log() } satisfies EventsResponse);
    case 'POST events':
      return appendFrom(session, request);
    case 'GET commands': {
      const after = Number(url.searchParams.get('after') ?? 0);
      const waitMs = Number(url.searchParams.get('waitMs') ?? 0);
      if (!Number.isInteger(after) || after < 0 || !Number.isFinite(waitMs))
        return problem(400, 'after must be a non-negative integer and waitMs a number');
      return Response.json(await session.commands(after, Math.max(0, waitMs)));
    }
    case 'POST disconnect':
      return Response.json({ closed: session.disconnect() } satisfies DisconnectResponse);
    default:
      return problem(405, `${request.method} is not allowed here`);
  }
}
