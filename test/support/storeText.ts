import type { GatewayStore } from 'agent-gateway-client';

/** The text a store's session view shows: every text part of every message, in order. */
export const textOf = (store: GatewayStore): string =>
  store
    .getSnapshot()
    .session.messages.flatMap((message) => message.parts)
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('');
