/**
 * What a TypeScript user of the published package relies on, checked against the installed tarball
 * (strict, NodeNext) by the packaging test: each line fails to compile if the promise breaks.
 */
import {
  AgentGatewayClient,
  AgentGatewayError,
  type ClientError,
  type CommandReceipt,
  FrameError,
  isKnownAgentEvent,
} from 'agent-gateway-client';
import { createSessionToken, type GatewayServer } from 'agent-gateway-client/server';
import { WebSocket } from 'ws';

// ws's class is a valid WebSocket option (issue 15: Node users pass it).
const client = new AgentGatewayClient({ gatewayUrl: 'http://127.0.0.1:8787', token: 'token', WebSocket });

// Known agent-event kinds narrow, in `if` and in `switch` (issue 15, item 1).
client.on('agent_event', ({ event }) => {
  if (event.kind === 'text_delta') {
    const _text: string = event.content;
  }
  switch (event.kind) {
    case 'tool_result': {
      const _result: string = event.result;
      break;
    }
    case 'tool_call_start': {
      const _name: string = event.name;
      break;
    }
    default:
      break;
  }
  const unknownKind: { kind: string } = { kind: 'from_a_newer_gateway' };
  if (isKnownAgentEvent(unknownKind)) {
    const _known: typeof event = unknownKind;
  }
});

// `error` listeners get a ClientError: an Error with a message, narrowed by class and kind (item 6).
client.on('error', (error) => {
  const _message: string = error.message;
  const _everyError: Error = error;
  if (error instanceof AgentGatewayError && error.kind === 'closedByGateway') {
    const _code: number = error.details.closeCode;
  }
  if (error instanceof FrameError) {
    const _preview: string = error.preview;
  }
});
const _typedListener: (error: ClientError) => void = (error) => console.warn(error.name);

// `session_complete` carries the frame; its summary once narrowed to a session_complete frame.
client.on('session_complete', (message) => {
  const _summary: string | undefined = message.type === 'session_complete' ? message.summary : undefined;
});

// Commands return receipts.
const _receipt: CommandReceipt = client.sendToolConfirmation('call-1', true);
const _status: 'sent' | 'queued' | 'rejected' | 'pending' = client.sendUserInput('request-1', 'yes').status;

// Mistakes are caught at compile time.
// @ts-expect-error an event the client does not emit
client.on('agent_events', () => undefined);
// @ts-expect-error an option the client does not have
new AgentGatewayClient({ gatewayUrl: 'http://127.0.0.1:8787', token: 'token', retries: 3 });
client.on('agent_event', ({ event }) => {
  // @ts-expect-error text_delta has content, not text
  if (event.kind === 'text_delta') console.warn(event.text);
});

// The server entry's types resolve too.
const _token: string = createSessionToken({ secret: 'x'.repeat(32), chatKey: 'chat-1' });
const _url = (gateway: GatewayServer): string => gateway.url;
