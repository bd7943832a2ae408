import { connect, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';

/** Waits `ms`. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A text `agent_event` frame to publish. */
export const text = (content: string) =>
  ({ type: 'agent_event', event: { kind: 'text_delta', content } }) as const;

/** What a raw socket saw: its frames (parsed), their exact text, and how it ended. */
export interface Peer {
  ws: WebSocket;
  frames: Array<Record<string, unknown>>;
  types(): string[];
  send(frame: object): void;
  /** Resolves with the close code and reason once the socket is closed. */
  closed: Promise<{ code: number; reason: string; at: number }>;
  /** Whether the socket is closed. */
  isClosed(): boolean;
}

/**
 * A raw `ws` socket to a gateway (terminated after the test). `read: false` never reads from the
 * network: a reader that stops reading, as a stalled or malicious client does.
 */
export async function peer(url: string, chatKey: string, options: { read?: boolean } = {}): Promise<Peer> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?chatKey=${encodeURIComponent(chatKey)}`);
  const frames: Array<Record<string, unknown>> = [];
  let done = false;
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) =>
    ws.on('close', (code, reason) => {
      done = true;
      resolve({ code, reason: String(reason), at: Date.now() });
    }),
  );
  ws.on('error', () => undefined);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  if (options.read === false) ws.pause();
  cleanups.push(() => ws.terminate());
  return {
    ws,
    frames,
    types: () => frames.map((frame) => String(frame.type)),
    send: (frame) => ws.send(JSON.stringify(frame)),
    closed,
    isClosed: () => done,
  };
}

/** A plain TCP connection to the gateway's port (for requests that never finish). */
export async function tcp(url: string): Promise<{ socket: Socket; closed: Promise<number> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  socket.resume();
  cleanups.push(() => socket.destroy());
  return { socket, closed };
}

/** The HTTP status a WebSocket upgrade got instead of a socket. */
export function upgradeStatus(url: string, chatKey: string): Promise<number | undefined> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?chatKey=${encodeURIComponent(chatKey)}`);
  cleanups.push(() => ws.terminate());
  return new Promise((resolve) => {
    ws.on('unexpected-response', (_, response) => resolve(response.statusCode));
    ws.on('open', () => resolve(101));
    ws.on('error', () => resolve(undefined));
  });
}

/** Registers a cleanup for the end of the current test. */
export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}
