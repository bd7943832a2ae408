import { assertEvent, assign, setup } from 'xstate';
import type { SessionStatus } from '../src/protocol/types.js';
import {
  answerInputRequest,
  foldSessionFrame,
  initialSessionView,
  respondToToolCall,
  type SessionFrame,
  type SessionView,
} from './session.view.js';

/** Events of the session model: server frames, the user's answers, and a reset before a full replay. */
export type SessionMachineEvent =
  | { type: 'server.message'; message: SessionFrame }
  | { type: 'user.toolConfirmation'; toolCallId: string; approved: boolean }
  | { type: 'user.input'; requestId: string; content: string }
  | { type: 'session.reset' };

function reportsStatus(...statuses: SessionStatus[]) {
  return ({ event }: { event: SessionMachineEvent }) =>
    event.type === 'server.message' &&
    (event.message.type === 'status_change' || event.message.type === 'resume_complete') &&
    statuses.includes(event.message.status);
}

/**
 * The session model (docs/session-machine.md): its context is the {@link SessionView} a UI renders, its state the
 * session's lifecycle. Every frame is folded whatever the state; `status_change` and
 * `resume_complete` (the authoritative status) and `session_complete` move between states. The
 * ended states keep folding late frames but ignore the user's answers, which the gateway would too.
 * Replayed frames are deduplicated by the client before they get here; `session.reset` empties the
 * view before a replay from the start.
 *
 * @example
 * const session = createActor(sessionMachine).start();
 * client.on('message', (message) => session.send({ type: 'server.message', message }));
 */
export const sessionMachine = setup({
  types: {
    context: {} as SessionView,
    events: {} as SessionMachineEvent,
  },
  guards: {
    reportsRunning: reportsStatus('running'),
    reportsWaitingConfirmation: reportsStatus('waiting_confirmation'),
    reportsWaitingInput: reportsStatus('waiting_input'),
    reportsCompletion: ({ event }) =>
      reportsStatus('completed')({ event }) ||
      (event.type === 'server.message' && event.message.type === 'session_complete'),
    reportsError: reportsStatus('error'),
    reportsInterrupted: reportsStatus('interrupted'),
  },
  actions: {
    foldFrame: assign(({ context, event }) => {
      assertEvent(event, 'server.message');
      return foldSessionFrame(context, event.message);
    }),
    recordToolConfirmation: assign(({ context, event }) => {
      assertEvent(event, 'user.toolConfirmation');
      return respondToToolCall(context, event.toolCallId, event.approved);
    }),
    recordInputAnswer: assign(({ context, event }) => {
      assertEvent(event, 'user.input');
      return answerInputRequest(context, event.requestId);
    }),
    resetView: assign(() => initialSessionView),
  },
}).createMachine({
  id: 'session',
  context: initialSessionView,
  initial: 'idle',
  // Rows shared by every state; the ended states override the first three.
  on: {
    'server.message': [
      { guard: 'reportsRunning', target: '.running', actions: 'foldFrame' },
      { guard: 'reportsWaitingConfirmation', target: '.waitingConfirmation', actions: 'foldFrame' },
      { guard: 'reportsWaitingInput', target: '.waitingInput', actions: 'foldFrame' },
      { guard: 'reportsCompletion', target: '.completed', actions: 'foldFrame' },
      { guard: 'reportsError', target: '.failed', actions: 'foldFrame' },
      { guard: 'reportsInterrupted', target: '.interrupted', actions: 'foldFrame' },
      { actions: 'foldFrame' },
    ],
    'user.toolConfirmation': { actions: 'recordToolConfirmation' },
    'user.input': { actions: 'recordInputAnswer' },
    'session.reset': { target: '.idle', actions: 'resetView' },
  },
  states: {
    // No status reported yet: a new session, or one being rebuilt from a replay.
    idle: {},
    running: {},
    waitingConfirmation: {},
    waitingInput: {},
    completed: {
      on: {
        'server.message': { actions: 'foldFrame' },
        'user.toolConfirmation': {},
        'user.input': {},
      },
    },
    failed: {
      on: {
        'server.message': { actions: 'foldFrame' },
        'user.toolConfirmation': {},
        'user.input': {},
      },
    },
    interrupted: {
      on: {
        'server.message': { actions: 'foldFrame' },
        'user.toolConfirmation': {},
        'user.input': {},
      },
    },
  },
});

/** The session machine's type, for typing actors and snapshots. */
export type SessionMachine = typeof sessionMachine;
