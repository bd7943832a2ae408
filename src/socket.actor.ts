import { fromCallback } from 'xstate';
import type { ConnectionEvent, SocketActorInput, SocketCommand } from '../machines/connection.machine.js';
import { clientDependencies } from './clientDependencies.js';
import { encodeClientFrame } from './protocol/encode.js';
import type { FrameError } from './protocol/parse.js';
import type { ClientFrame } from './protocol/types.js';
import { listen, ReadyState, type SocketEventLike, type WebSocketConstructor } from './webSocket.js';

/**
 * The only code that touches a WebSocket. Invoked by the connection machine once per link: it opens
 * the socket, turns socket events and validated frames into machine events, writes the frames the
 * machine asks for, closes with the code the machine chooses, and after that close (or its own stop)
 * ignores everything the old socket still says. Its client's dependencies are found by its actor
 * system, so one machine definition serves every client and none of them is in a snapshot.
 *
 * @example
 * connectionMachine.provide({ actors: { socket: socketActor } });
 */
export const socketActor = fromCallback<SocketCommand, SocketActorInput>(
  ({ input, system, sendBack: sendToMachine, receive }) => {
    const options = clientDependencies(system);
    const { ledger, dialect, frameLimits, deliver, reportFrameError } = options;
    const sendBack = (event: ConnectionEvent) => sendToMachine(event);
    let socket: InstanceType<WebSocketConstructor>;
    // Named in errors: it holds the gateway's address and the session's key, never a token.
    let url = '';
    try {
      url = dialect.socketUrl(options.gatewayUrl, input.chatKey);
      socket = new options.WebSocket(url);
    } catch (error) {
      sendBack({ type: 'socket.error', message: describe(error, 'Could not create the WebSocket') });
      sendBack({ type: 'socket.closed', code: 1006, reason: 'WebSocket constructor failed' });
      return;
    }
    // Set once the socket is closed by either side: from then on nothing it says reaches the machine.
    let finished = false;
    // After a heartbeat, the first inbound frame of any kind is proof that the link lives.
    let awaitingProofOfLife = false;
    // Each `auth` request supersedes the previous one, so a slow token provider cannot write stale auth.
    let authRequest = 0;
    // Every session frame of the link goes through its gate: each id once, held while the machine says.
    const gate = dialect.createGate(
      ledger,
      {
        agentEvent: options.deliverAgentEvent,
        frame: (message) => {
          if (message.type === 'session_complete') sendBack({ type: 'server.sessionComplete', message });
          else if (message.type === 'resume_complete') sendBack({ type: 'server.resumeComplete', message });
          else deliver(message);
        },
        report: sendBack,
      },
      input.chatKey,
    );

    /** Writes a frame if the socket can take it; says whether it did. */
    const write = (frame: ClientFrame): boolean => {
      if (finished || socket.readyState !== ReadyState.open) return false;
      try {
        socket.send(encodeClientFrame(frame));
        return true;
      } catch (error) {
        sendBack({ type: 'socket.error', message: describe(error, 'WebSocket send failed') });
        return false;
      }
    };

    const writeAuth = () => {
      const request = ++authRequest;
      const fail = (error: unknown) => {
        if (!finished && request === authRequest) {
          sendBack({ type: 'socket.tokenFailed', message: describe(error, 'Token provider failed') });
        }
      };
      const send = (token: unknown) => {
        if (finished || request !== authRequest) return;
        if (typeof token !== 'string' || token.length === 0)
          return fail(new Error('Token provider returned no token'));
        write({ type: 'auth', token });
      };
      let token: string | Promise<string>;
      try {
        token = options.getToken();
      } catch (error) {
        return fail(error);
      }
      // A static token is written synchronously, inside the socket's open handler.
      if (typeof token === 'string') send(token);
      else Promise.resolve(token).then(send, fail);
    };

    const onOpen = () => {
      if (!finished) sendBack({ type: 'socket.open' });
    };

    const onMessage = (event: SocketEventLike) => {
      if (finished) return;
      const raw = event.data;
      const message = dialect.decode(raw, refuseFrame, frameLimits);
      if (message === undefined) return;
      switch (message.type) {
        // A heartbeat_ack is its own proof of life (the machine counts acks).
        case 'heartbeat_ack':
          return sendBack({ type: 'server.heartbeatAck' });
        case 'auth_success':
          proveLife();
          return sendBack({
            type: 'server.authSuccess',
            capabilities: message.capabilities ?? [],
            lastEventId: ledger.lastEventId,
          });
        case 'auth_failed':
          proveLife();
          return sendBack({ type: 'server.authFailed', reason: message.reason });
        case 'auth_expired':
          proveLife();
          return sendBack({ type: 'server.authExpired' });
        default:
          // Any other frame proves the link lives before it is handled.
          if (awaitingProofOfLife) proveLife();
          gate.offer(message, (raw as string).length);
      }
    };

    // A malformed frame proves the link lives too.
    const refuseFrame = (error: FrameError) => {
      proveLife();
      reportFrameError(error);
      // The machine decides when a link sends too much garbage to keep.
      if (!finished) sendBack({ type: 'socket.malformedFrame' });
    };

    const proveLife = () => {
      if (!awaitingProofOfLife) return;
      awaitingProofOfLife = false;
      sendBack({ type: 'socket.alive' });
    };

    const onClose = (event: SocketEventLike) => {
      if (finished) return;
      finished = true;
      sendBack({ type: 'socket.closed', code: event.code ?? 1006, reason: event.reason ?? '' });
    };

    const onError = (event: SocketEventLike) => {
      if (finished) return;
      const reason = typeof event.message === 'string' ? event.message : '';
      // Node's `ws` names the HTTP status of a refused upgrade; a browser tells nothing.
      const refusal = /^Unexpected server response: (\d{3})$/.exec(reason);
      if (refusal !== null) {
        const status = Number(refusal[1]);
        const message = `The gateway at ${url} refused the WebSocket upgrade (HTTP ${status})`;
        return sendBack({ type: 'socket.refused', status, message });
      }
      if (/ECONNREFUSED/.test(reason))
        return sendBack({ type: 'socket.error', message: `No gateway at ${url} (${reason})` });
      sendBack({
        type: 'socket.error',
        message: reason ? `WebSocket error: ${reason}` : `WebSocket error at ${url}`,
      });
    };

    const close = (code: number, reason: string) => {
      if (finished) return;
      finished = true;
      try {
        socket.close(code, reason);
      } catch {
        // Closing a socket that is already going away may throw in some implementations: it is gone either way.
      }
    };

    const unlisten = listen(socket, { open: onOpen, message: onMessage, close: onClose, error: onError });

    receive((command) => {
      switch (command.type) {
        case 'auth':
          return void writeAuth();
        case 'resume':
          // Authenticated: a token still on its way must not be written as a stray auth later.
          authRequest++;
          ledger.beginReplay();
          return write(
            command.wantStatus
              ? { type: 'resume', lastEventId: ledger.lastEventId, wantStatus: true }
              : { type: 'resume', lastEventId: ledger.lastEventId },
          );
        case 'heartbeat':
          if (write({ type: 'heartbeat' })) awaitingProofOfLife = true;
          return;
        case 'command':
          // A command the socket could not take must not count as sent: the machine queues it again.
          if (!write(command.frame)) sendBack({ type: 'socket.commandUnsent', commandId: command.commandId });
          return;
        case 'holdFrames':
        case 'sequenceFrames':
        case 'bufferFrames':
          return gate[command.type](command.limits);
        case 'releaseFrames':
          // Held frames are delivered even after the socket closed: the machine asked for them.
          return options.duringMachineStep(() => gate.releaseFrames());
        case 'replayOver':
          return ledger.endReplay();
        case 'close':
          return close(command.code, command.reason);
      }
    });

    return () => {
      unlisten();
      close(1000, 'Client disconnect');
    };
  },
);

function describe(error: unknown, fallback: string): string {
  if (error instanceof Error && error.message) return `${fallback}: ${error.message}`;
  if (typeof error === 'object' && error !== null && typeof (error as SocketEventLike).message === 'string') {
    const message = (error as SocketEventLike).message;
    if (message) return `${fallback}: ${message}`;
  }
  return fallback;
}
