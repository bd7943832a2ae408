import {
  type AgentStreamEvent,
  type SessionFrame,
  type SessionMachineEvent,
  type SessionStatus,
  sessionMachine,
  type ToolUIPart,
} from 'agent-gateway-client';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';

let seq = 0;
const nextId = () => `e${++seq}`;
const agent = (event: AgentStreamEvent): SessionFrame => ({ type: 'agent_event', id: nextId(), event });
const status = (value: SessionStatus): SessionFrame => ({
  type: 'status_change',
  id: nextId(),
  status: value,
});
const server = (message: SessionFrame): SessionMachineEvent => ({ type: 'server.message', message });
const tokens = (kind: 'text_delta' | 'thinking', text: string) =>
  (text.match(/\S+\s*/g) ?? []).map((content) => agent({ kind, content }));

function start(...events: SessionMachineEvent[]) {
  const actor = createActor(sessionMachine).start();
  for (const event of events) actor.send(event);
  return actor;
}

const INTRO = 'I can help you plan your trip. Let me check the forecast first. ';
const AFTER_TOOL = 'Friday will be sunny. ';
const FINAL = 'Pack a light jacket for Saturday.';

/** The reference demo agent's session, as frames, and the user's answers at the points it asks. */
function demoSession(): SessionMachineEvent[] {
  return [
    server(status('running')),
    ...tokens('thinking', 'The user wants a trip plan.').map(server),
    ...tokens('text_delta', INTRO).map(server),
    server(agent({ kind: 'step_complete', stepIndex: 0 })),
    server(agent({ kind: 'tool_call_start', toolCallId: 'call-1', name: 'get_weather', arguments: '' })),
    server(agent({ kind: 'tool_call_delta', toolCallId: 'call-1', arguments: '{"city":' })),
    server(agent({ kind: 'tool_call_delta', toolCallId: 'call-1', arguments: '"Paris"}' })),
    server(agent({ kind: 'tool_call_end', toolCallId: 'call-1' })),
    server(status('waiting_confirmation')),
    server({
      type: 'tool_confirmation_request',
      id: nextId(),
      toolCallId: 'call-1',
      tool: { apiName: 'weather', arguments: '{"city":"Paris"}', identifier: 'get_weather', name: 'Weather' },
    }),
    { type: 'user.toolConfirmation', toolCallId: 'call-1', approved: true },
    server(status('running')),
    server(agent({ kind: 'tool_result', toolCallId: 'call-1', result: '{"sunny":true}' })),
    ...tokens('text_delta', AFTER_TOOL).map(server),
    server(agent({ kind: 'step_complete', stepIndex: 1 })),
    server(status('waiting_input')),
    server({ type: 'input_request', id: nextId(), requestId: 'input-1', prompt: 'Which day?' }),
    { type: 'user.input', requestId: 'input-1', content: 'Saturday' },
    server(status('running')),
    ...tokens('thinking', 'The user picked Saturday.').map(server),
    ...tokens('text_delta', FINAL).map(server),
    server(agent({ kind: 'message_complete', messageId: 'msg_trip_plan' })),
    server(status('completed')),
    server({ type: 'session_complete', id: nextId(), summary: 'Trip plan with the forecast' }),
  ];
}

const serverOnly = (events: SessionMachineEvent[]) =>
  events.filter((event) => event.type === 'server.message');
const textOf = (actor: ReturnType<typeof start>) =>
  actor
    .getSnapshot()
    .context.messages.flatMap((message) => message.parts)
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('');

describe('session machine: lifecycle', () => {
  it('starts idle with an empty view', () => {
    const snapshot = start().getSnapshot();
    expect(snapshot.value).toBe('idle');
    expect(snapshot.context).toEqual({
      messages: [],
      pendingInputs: [],
      status: undefined,
      errors: [],
      complete: false,
      summary: undefined,
    });
  });

  it('follows status_change between running and the waiting states', () => {
    const actor = start();
    const seen: unknown[] = [];
    for (const value of ['running', 'waiting_confirmation', 'running', 'waiting_input', 'running'] as const) {
      actor.send(server(status(value)));
      seen.push([actor.getSnapshot().value, actor.getSnapshot().context.status]);
    }
    expect(seen).toEqual([
      ['running', 'running'],
      ['waitingConfirmation', 'waiting_confirmation'],
      ['running', 'running'],
      ['waitingInput', 'waiting_input'],
      ['running', 'running'],
    ]);
  });

  it('takes the authoritative status from resume_complete', () => {
    const actor = start(server({ type: 'resume_complete', status: 'waiting_input' }));
    expect(actor.getSnapshot().value).toBe('waitingInput');
    expect(actor.getSnapshot().context.status).toBe('waiting_input');
    actor.send(server({ type: 'resume_complete', status: 'error' }));
    expect(actor.getSnapshot().value).toBe('failed');
  });

  it.each([
    ['completed', 'completed'],
    ['error', 'failed'],
    ['interrupted', 'interrupted'],
  ] as const)('a terminal status %s ends in %s, which session_complete keeps', (terminal, state) => {
    const actor = start(server(status('running')), server(status(terminal)));
    expect(actor.getSnapshot().value).toBe(state);
    actor.send(server({ type: 'session_complete', id: nextId(), summary: 'Bye' }));
    expect(actor.getSnapshot().value).toBe(state);
    expect(actor.getSnapshot().context).toMatchObject({ complete: true, summary: 'Bye', status: terminal });
  });

  it('session_complete without a terminal status completes the session', () => {
    const actor = start(server(status('running')), ...tokens('text_delta', 'Half an ans').map(server));
    actor.send(server({ type: 'session_complete', id: nextId() }));
    const { value, context } = actor.getSnapshot();
    expect(value).toBe('completed');
    expect(context.complete).toBe(true);
    expect(context.summary).toBeUndefined();
    // Nothing more will come: the open message and its text are closed.
    expect(context.messages[0]).toMatchObject({ complete: true, parts: [{ state: 'done' }] });
  });

  it('an ended session stays ended, still folds late frames, and ignores the user', () => {
    const actor = start(
      server(status('running')),
      server({
        type: 'tool_confirmation_request',
        id: nextId(),
        toolCallId: 'call-1',
        tool: { apiName: 'a', arguments: '{}', identifier: 'a', name: 'A' },
      }),
      server(status('interrupted')),
      server({ type: 'error', id: 'err-1', code: 'late', message: 'Late error' }),
      { type: 'user.toolConfirmation', toolCallId: 'call-1', approved: true },
      { type: 'user.input', requestId: 'input-1', content: 'x' },
    );
    const { value, context } = actor.getSnapshot();
    expect(value).toBe('interrupted');
    expect(context.errors).toEqual([{ eventId: 'err-1', code: 'late', message: 'Late error' }]);
    expect((context.messages[0]?.parts[0] as ToolUIPart).state).toBe('approval-requested');
    actor.send(server(status('running')));
    expect(actor.getSnapshot().value).toBe('interrupted');
  });

  it('session.reset empties the view and returns to idle from any state', () => {
    for (const terminal of ['running', 'waiting_input', 'completed', 'error', 'interrupted'] as const) {
      const actor = start(server(status(terminal)), ...tokens('text_delta', 'Some text').map(server));
      actor.send({ type: 'session.reset' });
      expect(actor.getSnapshot().value).toBe('idle');
      expect(actor.getSnapshot().context).toEqual(start().getSnapshot().context);
    }
  });
});

describe('session machine: requests and errors', () => {
  it('lists input requests until the user answers them', () => {
    const actor = start(
      server(status('waiting_input')),
      server({ type: 'input_request', id: 'i-1', requestId: 'r-1', prompt: 'Which day?' }),
      server({ type: 'input_request', id: 'i-2', requestId: 'r-2', prompt: 'Which city?' }),
    );
    expect(actor.getSnapshot().context.pendingInputs).toEqual([
      { requestId: 'r-1', prompt: 'Which day?', eventId: 'i-1' },
      { requestId: 'r-2', prompt: 'Which city?', eventId: 'i-2' },
    ]);
    actor.send({ type: 'user.input', requestId: 'r-1', content: 'Saturday' });
    expect(actor.getSnapshot().context.pendingInputs.map((input) => input.requestId)).toEqual(['r-2']);
  });

  it('drops input requests the server shows are settled: running again, or the session ended', () => {
    const request = server({ type: 'input_request', id: nextId(), requestId: 'r-1', prompt: '?' });
    expect(start(request, server(status('running'))).getSnapshot().context.pendingInputs).toEqual([]);
    expect(start(request, server(status('interrupted'))).getSnapshot().context.pendingInputs).toEqual([]);
    const completed = start(request, server({ type: 'session_complete', id: nextId() }));
    expect(completed.getSnapshot().context.pendingInputs).toEqual([]);
  });

  it('appends error frames in order, without changing the state', () => {
    const actor = start(
      server(status('running')),
      server({ type: 'error', id: 'x-1', code: 'rate_limited', message: 'Slow down' }),
      server({ type: 'error', id: 'x-2', code: 'tool_failed', message: 'Tool failed' }),
    );
    expect(actor.getSnapshot().value).toBe('running');
    expect(actor.getSnapshot().context.errors).toEqual([
      { eventId: 'x-1', code: 'rate_limited', message: 'Slow down' },
      { eventId: 'x-2', code: 'tool_failed', message: 'Tool failed' },
    ]);
  });

  it('ignores unknown agent event kinds in every state', () => {
    const actor = start(server(status('running')), ...tokens('text_delta', 'Hi').map(server));
    const before = actor.getSnapshot().context;
    actor.send(
      server(agent({ kind: 'citation', url: 'https://example.com' } as unknown as AgentStreamEvent)),
    );
    expect(actor.getSnapshot().value).toBe('running');
    expect(actor.getSnapshot().context.messages).toBe(before.messages);
  });
});

describe('session machine: the demo session, live and rebuilt from a full replay', () => {
  it('folds the whole session into one message with reasoning, text and an approved tool', () => {
    const actor = start(...demoSession());
    const { value, context } = actor.getSnapshot();
    expect(value).toBe('completed');
    expect(textOf(actor)).toBe(INTRO + AFTER_TOOL + FINAL);
    expect(context.messages).toHaveLength(1);
    expect(context.messages[0]?.id).toBe('msg_trip_plan');
    expect(context.messages[0]?.parts.map((part) => part.type)).toEqual([
      'reasoning',
      'text',
      'tool',
      'text',
      'reasoning',
      'text',
    ]);
    expect(context.messages[0]?.parts.every((part) => part.state !== 'streaming')).toBe(true);
    expect(context.messages[0]?.parts[2]).toMatchObject({
      state: 'output-available',
      parsedInput: { city: 'Paris' },
      output: '{"sunny":true}',
      parsedOutput: { sunny: true },
      approval: { approved: true },
    });
    expect(context).toMatchObject({
      complete: true,
      summary: 'Trip plan with the forecast',
      pendingInputs: [],
    });
  });

  it('reset + replay of the same frames gives an identical view, with no duplicated text', () => {
    const session = demoSession();
    const actor = start(...session);
    const live = actor.getSnapshot();
    actor.send({ type: 'session.reset' });
    for (const event of serverOnly(session)) actor.send(event);
    expect(actor.getSnapshot().value).toBe(live.value);
    expect(actor.getSnapshot().context).toEqual(live.context);
    expect(textOf(actor)).toBe(INTRO + AFTER_TOOL + FINAL);
  });

  it('a replay cut at each waiting point rebuilds what the user still has to answer', () => {
    const session = demoSession();
    const approvalPoint = session.findIndex((event) => event.type === 'user.toolConfirmation');
    const inputPoint = session.findIndex((event) => event.type === 'user.input');

    const atApproval = start(...session.slice(0, approvalPoint), { type: 'session.reset' });
    for (const event of serverOnly(session.slice(0, approvalPoint))) atApproval.send(event);
    expect(atApproval.getSnapshot().value).toBe('waitingConfirmation');
    expect(atApproval.getSnapshot().context.messages[0]?.parts[2]).toMatchObject({
      toolCallId: 'call-1',
      state: 'approval-requested',
    });

    const atInput = start(...session.slice(0, inputPoint), { type: 'session.reset' });
    for (const event of serverOnly(session.slice(0, inputPoint))) atInput.send(event);
    expect(atInput.getSnapshot().value).toBe('waitingInput');
    expect(atInput.getSnapshot().context.pendingInputs).toMatchObject([{ requestId: 'input-1' }]);
    expect(atInput.getSnapshot().context).toEqual(
      start(...session.slice(0, inputPoint)).getSnapshot().context,
    );
  });

  it('a rejected tool rebuilds as denied from the gateway result', () => {
    const session = demoSession().map((event): SessionMachineEvent =>
      event.type === 'user.toolConfirmation'
        ? { ...event, approved: false }
        : event.type === 'server.message' &&
            event.message.type === 'agent_event' &&
            event.message.event.kind === 'tool_result'
          ? server({ ...event.message, event: { ...event.message.event, result: '{"denied":true}' } })
          : event,
    );
    const live = start(...session).getSnapshot().context;
    const rebuilt = start(...serverOnly(session)).getSnapshot().context;
    expect(live.messages[0]?.parts[2]).toMatchObject({
      state: 'output-denied',
      approval: { approved: false },
    });
    expect(rebuilt).toEqual(live);
  });
});
