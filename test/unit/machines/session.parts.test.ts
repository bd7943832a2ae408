import {
  type AgentStreamEvent,
  foldSessionFrame,
  initialSessionView,
  type SessionFrame,
  type SessionView,
} from 'agent-gateway-client';
import { describe, expect, it } from 'vitest';

let seq = 0;
const agent = (event: AgentStreamEvent): SessionFrame => ({ type: 'agent_event', id: `e${++seq}`, event });
const text = (content: string) => agent({ kind: 'text_delta', content });
const thinking = (content: string) => agent({ kind: 'thinking', content });
const toolStart = (toolCallId: string) =>
  agent({ kind: 'tool_call_start', toolCallId, name: 'search', arguments: '{}' });
const messageComplete = (messageId: string) => agent({ kind: 'message_complete', messageId });
const fold = (frames: SessionFrame[], from: SessionView = initialSessionView) =>
  frames.reduce<SessionView>(foldSessionFrame, from);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe('session view: text and reasoning', () => {
  it('appends consecutive text deltas to one streaming text part', () => {
    const view = fold([text('Hello'), text(', '), text('world')]);
    expect(view.messages).toEqual([
      {
        id: 'msg-1',
        role: 'assistant',
        parts: [{ type: 'text', text: 'Hello, world', state: 'streaming' }],
        complete: false,
      },
    ]);
  });

  it('starts a reasoning part on thinking, closing the text before it, and a new text part after it', () => {
    const view = fold([
      thinking('Let me '),
      thinking('think.'),
      text('Answer'),
      thinking('Hmm'),
      text('More'),
    ]);
    expect(view.messages[0]?.parts).toEqual([
      { type: 'reasoning', text: 'Let me think.', state: 'done' },
      { type: 'text', text: 'Answer', state: 'done' },
      { type: 'reasoning', text: 'Hmm', state: 'done' },
      { type: 'text', text: 'More', state: 'streaming' },
    ]);
  });

  it('closes the streaming text when a tool call starts, and opens a new text part after it', () => {
    const view = fold([text('Checking. '), toolStart('call-1'), text('Done.')]);
    expect(view.messages[0]?.parts.map((part) => [part.type, part.state])).toEqual([
      ['text', 'done'],
      ['tool', 'input-streaming'],
      ['text', 'streaming'],
    ]);
  });

  it('step_complete closes the streaming part; the next delta opens a new part in the same message', () => {
    const view = fold([text('Step one.'), agent({ kind: 'step_complete', stepIndex: 0 }), text('Step two.')]);
    expect(view.messages).toHaveLength(1);
    expect(view.messages[0]?.parts).toEqual([
      { type: 'text', text: 'Step one.', state: 'done' },
      { type: 'text', text: 'Step two.', state: 'streaming' },
    ]);
  });

  it('ignores empty deltas', () => {
    const view = fold([text('')]);
    expect(view).toBe(initialSessionView);
  });
});

describe('session view: message boundaries', () => {
  it('message_complete gives the message its server id, completes it and closes its parts', () => {
    const view = fold([thinking('Plan.'), text('Hi'), messageComplete('m-42')]);
    expect(view.messages).toEqual([
      {
        id: 'm-42',
        role: 'assistant',
        parts: [
          { type: 'reasoning', text: 'Plan.', state: 'done' },
          { type: 'text', text: 'Hi', state: 'done' },
        ],
        complete: true,
      },
    ]);
  });

  it('the first content after message_complete opens a new message with a provisional id', () => {
    const view = fold([text('First'), messageComplete('m-1'), thinking('Next'), text('Second')]);
    expect(view.messages.map((message) => [message.id, message.complete])).toEqual([
      ['m-1', true],
      ['msg-2', false],
    ]);
    expect(view.messages[1]?.parts.map((part) => part.type)).toEqual(['reasoning', 'text']);
  });

  it('a tool call after message_complete opens a new message too', () => {
    const view = fold([text('First'), messageComplete('m-1'), toolStart('call-1')]);
    expect(view.messages).toHaveLength(2);
    expect(view.messages[1]?.parts[0]).toMatchObject({ type: 'tool', toolCallId: 'call-1' });
  });

  it('a message_complete with no open message adds no empty message', () => {
    const complete = fold([text('Only'), messageComplete('m-1')]);
    expect(fold([messageComplete('m-2')], complete)).toBe(complete);
    expect(fold([messageComplete('m-0')])).toBe(initialSessionView);
  });
});

describe('session view: structural sharing', () => {
  it('keeps earlier messages and parts by reference while the open part grows', () => {
    const before = fold([text('Old'), messageComplete('m-1'), thinking('Why'), text('New')]);
    const after = fold([text(' text')], before);
    expect(after).not.toBe(before);
    expect(after.messages[0]).toBe(before.messages[0]);
    expect(after.messages[1]).not.toBe(before.messages[1]);
    expect(after.messages[1]?.parts[0]).toBe(before.messages[1]?.parts[0]);
    expect(after.messages[1]?.parts[1]).toEqual({ type: 'text', text: 'New text', state: 'streaming' });
    expect(after.pendingInputs).toBe(before.pendingInputs);
    expect(after.errors).toBe(before.errors);
    // The old snapshot is untouched: a UI holding it still renders what it rendered.
    expect(before.messages[1]?.parts[1]).toEqual({ type: 'text', text: 'New', state: 'streaming' });
  });

  it('a tool update in an earlier message keeps the open message by reference', () => {
    const before = fold([toolStart('call-1'), messageComplete('m-1'), text('Meanwhile')]);
    const after = fold([agent({ kind: 'tool_result', toolCallId: 'call-1', result: '1' })], before);
    expect(after.messages[0]?.parts[0]).toMatchObject({
      state: 'output-available',
      output: '1',
      parsedOutput: 1,
    });
    expect(after.messages[1]).toBe(before.messages[1]);
  });

  it('returns the same view for frames that change nothing', () => {
    const view = fold([
      text('Hi'),
      toolStart('call-1'),
      { type: 'status_change', id: 's1', status: 'running' },
    ]);
    expect(fold([{ type: 'status_change', id: 's2', status: 'running' }], view)).toBe(view);
    expect(
      fold([agent({ kind: 'tool_call_start', toolCallId: 'call-1', name: 'x', arguments: '' })], view),
    ).toBe(view);
  });

  it('never mutates the view it folds into, whatever the frame', () => {
    const frozen = deepFreeze(
      fold([
        thinking('a'),
        text('b'),
        toolStart('call-1'),
        { type: 'input_request', id: 'i1', requestId: 'r1', prompt: '?' },
      ]),
    );
    const frames: SessionFrame[] = [
      text('c'),
      thinking('d'),
      agent({ kind: 'tool_call_delta', toolCallId: 'call-1', arguments: 'x' }),
      agent({ kind: 'tool_call_end', toolCallId: 'call-1' }),
      agent({ kind: 'tool_result', toolCallId: 'call-1', result: '{"ok":true}' }),
      agent({ kind: 'step_complete', stepIndex: 1 }),
      messageComplete('m-1'),
      { type: 'status_change', id: 's1', status: 'running' },
      { type: 'error', id: 'x1', code: 'boom', message: 'Boom' },
      { type: 'session_complete', id: 'c1', summary: 'Done' },
    ];
    for (const frame of frames) expect(() => foldSessionFrame(frozen, frame)).not.toThrow();
    expect(frozen.messages[0]?.parts[1]).toEqual({ type: 'text', text: 'b', state: 'done' });
  });
});

describe('session view: forward compatibility', () => {
  it('ignores agent event kinds it does not know, returning the same view', () => {
    const view = fold([text('Hi')]);
    const unknown = agent({ kind: 'citation', url: 'https://example.com' } as unknown as AgentStreamEvent);
    expect(fold([unknown], view)).toBe(view);
    // The text part is still open: the unknown kind did not close it.
    expect(fold([text('!')], view).messages[0]?.parts).toEqual([
      { type: 'text', text: 'Hi!', state: 'streaming' },
    ]);
  });
});
