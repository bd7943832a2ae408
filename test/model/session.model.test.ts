import {
  AgentGatewayClient,
  createGatewayStore,
  type SessionFrame,
  sessionMachine,
} from 'agent-gateway-client';
import type { AnyEventObject, AnyMachineSnapshot, AnyStateNode } from 'xstate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeSocketClass, type FakeSocket } from '../support/fakeSocket.js';
import { createCoverage } from './support/coverage.js';
import { SessionOracle } from './support/sessionOracle.js';
import { type TourPath, transitionTour } from './support/tour.js';

const frame = (message: Record<string, unknown>) => ({ type: 'server.message', message }) as AnyEventObject;
const agent = (event: Record<string, unknown>) => frame({ type: 'agent_event', id: 'x', event });
const status = (value: string) => frame({ type: 'status_change', id: 'x', status: value });

/** One of each frame kind and outcome, plus the user's answers and a reset. */
const EVENTS: AnyEventObject[] = [
  agent({ kind: 'text_delta', content: 'Hello ' }),
  agent({ kind: 'thinking', content: 'Hmm. ' }),
  agent({ kind: 'tool_call_start', toolCallId: 'c1', name: 'search', arguments: '{"q":' }),
  agent({ kind: 'tool_call_delta', toolCallId: 'c1', arguments: '"x"}' }),
  agent({ kind: 'tool_call_end', toolCallId: 'c1' }),
  agent({ kind: 'tool_result', toolCallId: 'c1', result: '{"rows":1}' }),
  agent({ kind: 'tool_result', toolCallId: 'c1', result: '{"error":"timeout"}' }),
  agent({ kind: 'tool_result', toolCallId: 'c1', result: '{"denied":true}' }),
  agent({ kind: 'step_complete', stepIndex: 0 }),
  agent({ kind: 'message_complete', messageId: 'm1' }),
  agent({ kind: 'citation', url: 'https://example.com' }),
  frame({
    type: 'tool_confirmation_request',
    id: 'x',
    toolCallId: 'c1',
    tool: { apiName: 'search', arguments: '{"q":"x"}', identifier: 'search', name: 'Search' },
  }),
  frame({ type: 'input_request', id: 'x', requestId: 'r1', prompt: 'City?' }),
  frame({ type: 'error', id: 'x', code: 'tool_failed', message: 'Search is down' }),
  frame({ type: 'session_complete', id: 'x', summary: 'done' }),
  frame({ type: 'resume_complete', status: 'running' }),
  frame({ type: 'resume_complete', status: 'completed' }),
  ...['running', 'waiting_confirmation', 'waiting_input', 'completed', 'error', 'interrupted'].map(status),
  { type: 'user.toolConfirmation', toolCallId: 'c1', approved: true },
  { type: 'user.toolConfirmation', toolCallId: 'c1', approved: false },
  { type: 'user.input', requestId: 'r1', content: 'Paris' },
  { type: 'session.reset' },
];

/**
 * States that fold alike: the lifecycle state, the kind of the last part, and the tool call's state —
 * so the tour walks through whole part lifecycles (a tool call from start to result), not just the
 * status graph, while the number of paths stays small.
 */
function viewShape(snapshot: AnyMachineSnapshot): string {
  const view = snapshot.context as { messages: Array<{ parts: Array<{ type: string; state: string }> }> };
  const parts = view.messages.flatMap((message) => message.parts);
  const tool = parts.find((part) => part.type === 'tool');
  return JSON.stringify([snapshot.value, parts.at(-1)?.type ?? null, tool?.state ?? null]);
}

/**
 * The frame the gateway sends for a path's event: a fresh id, and streamed text numbered, so that a
 * delta folded in the wrong place or order shows.
 */
function concrete(message: SessionFrame, step: number): SessionFrame {
  if (!('id' in message)) return message;
  if (message.type === 'agent_event' && 'content' in message.event && message.event.content !== '') {
    const event = { ...message.event, content: `${message.event.content as string}${step} ` };
    return { ...message, id: `e${step}`, event } as SessionFrame;
  }
  return { ...message, id: `e${step}` };
}

/** The real client on a fake gateway, with the real store folding what it delivers. */
function createSut() {
  const { WebSocket, sockets } = createFakeSocketClass();
  const client = new AgentGatewayClient({
    gatewayUrl: 'https://gateway.test',
    token: 't',
    WebSocket,
    watchEnvironment: false,
    logger: { warn: () => undefined, error: () => undefined },
  });
  const store = createGatewayStore(client, { renderBatch: 'sync' });
  let chat = 0;
  const socket = () => sockets.at(-1) as FakeSocket;
  // A link that is in its replay, as after any (re)connect: the only time resume_complete counts.
  const freshLink = (chatKey: string) => {
    client.disconnect();
    client.connect(chatKey);
    socket().open();
    socket().receive({
      type: 'auth_success',
      capabilities: ['command_id', 'resume_complete', 'auth_expired'],
    });
  };
  freshLink(`chat-${++chat}`);

  const apply = (event: AnyEventObject, step: number) => {
    switch (event.type) {
      case 'session.reset':
        return freshLink(`chat-${++chat}`); // another chatKey: the store starts the view over
      case 'user.toolConfirmation':
        return store.confirmTool(event.toolCallId as string, event.approved as boolean);
      case 'user.input':
        return store.submitInput(event.requestId as string, event.content as string);
      default: {
        const message = concrete(event.message as SessionFrame, step);
        // A session that ended (or a resume) needs a new link of the same chat for the next frame.
        if (message.type === 'resume_complete' || client.connectionStatus !== 'connected') {
          freshLink(`chat-${chat}`);
        }
        socket().receive(message);
      }
    }
  };
  return { store, apply, dispose: () => (store.dispose(), client.dispose()) };
}

/** What the oracle makes of the same event. */
function applyToOracle(oracle: SessionOracle, event: AnyEventObject, step: number): void {
  switch (event.type) {
    case 'session.reset':
      return oracle.reset();
    case 'user.toolConfirmation':
      return oracle.answerTool(event.toolCallId as string, event.approved as boolean);
    case 'user.input':
      return oracle.answerInput(event.requestId as string);
    default:
      return oracle.frame(concrete(event.message as SessionFrame, step));
  }
}

// Coverage is counted on the session actors the stores run: every step their logic takes is recorded.
const coverage = createCoverage(sessionMachine);
const transition = sessionMachine.transition;
beforeAll(() => {
  sessionMachine.transition = (snapshot, event, scope) => {
    const taken = sessionMachine.getTransitionData(snapshot, event);
    const next = transition.call(sessionMachine, snapshot, event, scope);
    coverage.record((next as unknown as { _nodes: AnyStateNode[] })._nodes, taken);
    return next;
  };
});
afterAll(() => {
  sessionMachine.transition = transition;
});

/** A short name for an event of the tour: the frame (and agent event kind, or status), or the user's answer. */
function label(event: AnyEventObject): string {
  if (event.type !== 'server.message') return event.type;
  const message = event.message as { type: string; event?: { kind: string }; status?: string };
  return [message.type, message.event?.kind ?? message.status].filter(Boolean).join(' ');
}
const UNCHANGED = 'events that leave the view shape as it was';
const GROUPS = [...new Set(EVENTS.map(label)), UNCHANGED];

let tour: TourPath[] | undefined;
const totals = { groups: 0, paths: 0, steps: 0 };

// One test per kind of event tried last: a failure names it, and mutation testing runs only the
// tests that reach the code a mutant changed.
describe('session: paths generated from the machine graph, the real client and store judged by an independent fold', () => {
  it.each(GROUPS)('%s: after every step the view is what the oracle folds', (group) => {
    tour ??= transitionTour(sessionMachine, {
      input: undefined,
      events: () => EVENTS,
      serializeState: viewShape,
      chainable: () => true,
    });
    for (const { events: path, tried } of tour) {
      if ((tried > 1 ? UNCHANGED : label(path.at(-1) as AnyEventObject)) !== group) continue;
      const oracle = new SessionOracle();
      const sut = createSut();
      try {
        for (const [index, event] of path.entries()) {
          applyToOracle(oracle, event, index + 1);
          sut.apply(event, index + 1);
          totals.steps++;
          const where = `step ${index + 1} (${JSON.stringify(event)}) of [${path.map((e) => e.type).join(', ')}]`;
          expect(sut.store.getSnapshot().session, where).toEqual(oracle.view);
        }
      } finally {
        sut.dispose();
      }
      totals.paths++;
    }
    totals.groups++;
  });

  it('the store took every state and transition of the session machine', () => {
    // Only meaningful when every group ran (a filtered run, e.g. `-t`, covers less).
    if (totals.groups < GROUPS.length) return;
    console.log(
      `${coverage.line('session, taken by the store')} — ${totals.paths} paths, ${totals.steps} steps`,
    );
    expect(coverage.uncoveredStates()).toEqual([]);
    expect(coverage.uncoveredTransitions()).toEqual([]);
  });
});
