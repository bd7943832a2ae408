import { createBrowserInspector } from '@statelyai/inspect';
import type { AgentGatewayClient } from 'agent-gateway-client';

// Created at load but started only on demand: until then it keeps the last 200 events, no window opens.
const inspector = createBrowserInspector({ autoStart: false });

/** The observer to pass as the client's `inspect` option. */
export const inspect = inspector.inspect;

/** Opens the Stately inspector window and registers the running connection machine with it. */
export function openInspector(client: AgentGatewayClient | undefined): void {
  inspector.start();
  if (client) {
    const snapshot = client.actor.getSnapshot();
    inspector.actor(client.actor, {
      value: snapshot.value,
      context: snapshot.context,
      status: snapshot.status,
    });
  }
}

/** Closes the inspector window. */
export function closeInspector(): void {
  inspector.stop();
}
