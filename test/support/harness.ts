import {
  AgentGatewayClient,
  type AgentGatewayClientEvents,
  type AgentGatewayClientOptions,
  type ClientError,
} from 'agent-gateway-client';
import { vi } from 'vitest';
import { createFakeSocketClass, type FakeSocket } from './fakeSocket.js';

/** One recorded client event: its name and arguments. */
export type Recorded = { event: keyof AgentGatewayClientEvents; args: unknown[] };

const allEvents: Array<keyof AgentGatewayClientEvents> = [
  'agent_event',
  'auth_failed',
  'connected',
  'disconnected',
  'error',
  'input_request',
  'reconnecting',
  'session_complete',
  'status_changed',
  'status_update',
  'session_status',
  'tool_confirmation_request',
  'history_lost',
];

/** What the reference gateway answers an `auth` with: every extension announced. */
export const referenceAuthSuccess = {
  type: 'auth_success',
  capabilities: ['command_id', 'resume_complete', 'auth_expired'],
} as const;

/** What the original gateway answers an `auth` with: nothing announced. */
export const originalAuthSuccess = { type: 'auth_success' } as const;

/** A client on a fake socket with every event recorded. Use with `vi.useFakeTimers()`. */
export function createHarness(options: Partial<AgentGatewayClientOptions> = {}) {
  const { WebSocket, sockets } = createFakeSocketClass();
  const logger = { warn: vi.fn(), error: vi.fn() };
  const client = new AgentGatewayClient({
    gatewayUrl: 'https://gateway.test',
    token: 'secret-token',
    WebSocket,
    logger,
    reconnectJitter: 0,
    watchEnvironment: false,
    ...options,
  });
  const events: Recorded[] = [];
  for (const event of allEvents) {
    client.on(event, ((...args: unknown[]) => events.push({ event, args })) as never);
  }
  const latest = (): FakeSocket => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  };
  /** Names of the recorded events, in order; `status_changed` is left out (see `statuses`). */
  const names = () => events.filter(({ event }) => event !== 'status_changed').map(({ event }) => event);
  /** The connection statuses told to `status_changed` listeners, in order. */
  const statuses = () => events.filter(({ event }) => event === 'status_changed').map(({ args }) => args[0]);
  /** Arguments of each recorded `event`. */
  const argsOf = (event: keyof AgentGatewayClientEvents) =>
    events.filter((recorded) => recorded.event === event).map((recorded) => recorded.args);
  /** The errors reported through `error` listeners, in order. */
  const errors = () => argsOf('error').map(([error]) => error as ClientError);
  /** Command outcomes reported as `error`s of one kind, as `[commandId, frame, reason]`. */
  const commandOutcomes = (kind: 'commandRejected' | 'commandDropped' | 'commandUnconfirmed') =>
    errors().flatMap((error) => {
      if (error.kind !== kind) return [];
      const { commandId, ...frame } = error.details.command;
      return [[commandId, frame, error.details.reason]];
    });
  /** Opens the latest socket and answers `auth` with `auth_success`, by default the reference gateway's. */
  const authenticate = (answer: object = referenceAuthSuccess) => {
    const socket = latest();
    socket.open();
    socket.receive(answer);
    return socket;
  };
  return {
    client,
    sockets,
    latest,
    logger,
    events,
    names,
    statuses,
    argsOf,
    errors,
    commandOutcomes,
    authenticate,
  };
}

/** An `agent_event` frame carrying a text delta. */
export const textDelta = (id: string, content = `token-${id} `) => ({
  type: 'agent_event',
  id,
  event: { kind: 'text_delta', content },
});
