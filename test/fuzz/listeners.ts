import type { AgentGatewayClientEvents } from 'agent-gateway-client';
import { backoffProblem } from './checks.js';
import type { FuzzWorld } from './world.js';

/** The message a deliberately throwing listener throws (the only listener error the logger may see). */
export const THROWN = 'a deliberately throwing listener';

/** Listeners that receive id-bearing session frames: each id must reach each of them at most once. */
export const DELIVERING = [
  'message',
  'agent_event',
  'status_update',
  'tool_confirmation_request',
  'input_request',
] as const;

/**
 * Listens to every client event for the model (deliveries, command outcomes, backoff), and adds the
 * run's optional listeners: ones that answer requests, throw, or call back into the client.
 */
export function attachListeners(world: FuzzWorld): void {
  const { client, config } = world;
  const on = <K extends keyof AgentGatewayClientEvents>(event: K, listener: AgentGatewayClientEvents[K]) =>
    client.on(event, listener);
  const count = () => world.clientEvents++;
  for (const event of [
    'connected',
    'disconnected',
    'auth_failed',
    'status_changed',
    'session_status',
    'session_complete',
  ] as const)
    on(event, count);
  for (const listener of DELIVERING) {
    client.on(listener as 'message', (message) => {
      count();
      if ('id' in message) world.onDelivered(listener, message.id);
    });
  }
  on('error', (error) => {
    count();
    switch (error.kind) {
      case 'session':
        return world.onDelivered('error', error.details.eventId);
      case 'commandRejected': {
        // Only a `pending` receipt leaves a refusal to be told: each outcome is told once.
        const { commandId } = error.details.command;
        if (world.rejected.has(commandId)) world.fail(6, `command ${commandId} rejected twice`);
        return void world.rejected.add(commandId);
      }
      case 'commandDropped': {
        const { commandId } = error.details.command;
        if (world.dropped.has(commandId)) world.fail(6, `command ${commandId} reported dropped twice`);
        return void world.dropped.add(commandId);
      }
    }
  });
  on('reconnecting', (delayMs, attempt) => {
    count();
    const problem = backoffProblem(delayMs, attempt, config);
    if (problem) world.fail(8, problem);
    world.retryDueAt = Date.now() + delayMs;
  });

  if (config.interruptOnConnected) on('connected', () => world.issue(() => client.sendInterrupt(), true));
  if (config.answerRequests) {
    on('tool_confirmation_request', ({ toolCallId }) =>
      world.issue(() => client.sendToolConfirmation(toolCallId, true)),
    );
    on('input_request', ({ requestId }) => world.issue(() => client.sendUserInput(requestId, 'answer')));
  }
  if (config.throwingListener)
    on('agent_event', () => {
      throw new Error(THROWN);
    });
  attachReentrant(world);
}

/** The run's listener that calls back into the client, if any. */
function attachReentrant(world: FuzzWorld): void {
  const { client } = world;
  const dispose = () => {
    world.disposed = true;
    client.dispose();
  };
  switch (world.config.reentrant) {
    case 'none':
      return;
    case 'connectOnDisconnected':
      return client.on('disconnected', () => client.connect(world.ledgerChatKey ?? 'chat-1'));
    case 'resendDropped':
      // Not after an overflow: with dropOldest, each re-sent command would evict the next one forever.
      return client.on('error', (error) => {
        if (error.kind === 'commandDropped' && error.details.reason !== 'outboxFull')
          world.issue(() => client.sendInterrupt(), true);
      });
    case 'disposeOnConnected':
      return client.on('connected', dispose);
    case 'disposeOnReconnecting':
      return client.on('reconnecting', dispose);
    case 'disposeOnComplete':
      return client.on('session_complete', dispose);
    case 'disposeOnEvent':
      return client.on('agent_event', dispose);
  }
}
