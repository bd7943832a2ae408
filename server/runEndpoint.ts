import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenVerifier } from './tokens.js';

/** The largest `POST /runs` body read; a bigger one is refused with 413. */
export const MAX_RUN_REQUEST_BYTES = 16 * 1024;

/** What `POST /runs` needs from the gateway. */
export interface RunStarter {
  verifyToken: TokenVerifier;
  /** How long the body may take to arrive (the gateway's `runBodyTimeoutMs`). */
  bodyTimeoutMs: number;
  /** Whether the gateway has an agent to run. */
  hasAgent: boolean;
  startRun(chatKey: string, subject: string, prompt: string): 'started' | 'exists' | 'tooMany';
}

type Outcome = { status: number; body: Record<string, string> };

const refuse = (status: number, error: string): Outcome => ({ status, body: { error } });

/**
 * `POST /runs` with `Authorization: Bearer <token>` and `{"chatKey": "…", "prompt": "…"}`: opens the
 * session of that chatKey and starts the agent on the prompt (docs/protocol.md, "Starting a run").
 * The token must be valid for the chatKey, as for a socket. 201 `{chatKey}`; 400 bad body, 401 bad
 * token, 405 not POST, 408 a body slower than `bodyTimeoutMs`, 409 the chatKey already has a session, 413 body
 * over 16 KiB, 429 too many sessions for the token, 501 no agent. A request without a bearer token
 * is refused before its body is read.
 */
export async function serveRunRequest(
  request: IncomingMessage,
  response: ServerResponse,
  starter: RunStarter,
): Promise<void> {
  const outcome = await decide(request, starter);
  response.writeHead(outcome.status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...(outcome.status === 405 ? { allow: 'POST' } : {}),
    ...(outcome.status === 413 || outcome.status === 408 ? { connection: 'close' } : {}),
  });
  response.end(JSON.stringify(outcome.body));
}

async function decide(request: IncomingMessage, starter: RunStarter): Promise<Outcome> {
  if (request.method !== 'POST') return refuse(405, 'Use POST');
  if (!starter.hasAgent) return refuse(501, 'This gateway has no agent to run');
  // Before the body: a request that cannot be authorized costs no read (the token's chatKey is in it).
  const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (token === undefined) return refuse(401, 'Missing bearer token');
  const body = await readBody(request, starter.bodyTimeoutMs);
  if (body.text === undefined)
    return body.tooLarge
      ? refuse(413, `The body exceeds ${MAX_RUN_REQUEST_BYTES} bytes`)
      : refuse(408, 'The body took too long');
  const run = parseRun(body.text);
  if (run === undefined) return refuse(400, 'Expected {"chatKey": string, "prompt": string}');
  const check = await starter.verifyToken(token, run.chatKey);
  if (!check.ok) return refuse(401, check.reason);
  switch (starter.startRun(run.chatKey, check.subject ?? token, run.prompt)) {
    case 'started':
      return { status: 201, body: { chatKey: run.chatKey } };
    case 'exists':
      return refuse(409, 'This chatKey already has a session');
    case 'tooMany':
      return refuse(429, 'Too many sessions for this token');
  }
}

function parseRun(body: string): { chatKey: string; prompt: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { chatKey, prompt } = value as Record<string, unknown>;
  if (typeof chatKey !== 'string' || chatKey === '' || typeof prompt !== 'string') return undefined;
  return { chatKey, prompt };
}

// The body as text, or why not: it grew past the limit, or took longer than `timeoutMs` (the rest is not read).
function readBody(
  request: IncomingMessage,
  timeoutMs: number,
): Promise<{ text: string } | { text?: undefined; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (tooLarge: boolean) => {
      clearTimeout(timer);
      request.removeAllListeners('data');
      request.pause();
      resolve({ tooLarge });
    };
    const timer = setTimeout(() => stop(false), timeoutMs);
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RUN_REQUEST_BYTES) return stop(true);
      chunks.push(chunk);
    });
    request.on('end', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('utf8') });
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
