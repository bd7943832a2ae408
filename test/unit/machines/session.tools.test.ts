import {
  type AgentStreamEvent,
  foldSessionFrame,
  initialSessionView,
  respondToToolCall,
  type SessionFrame,
  type SessionView,
  type ToolDescriptor,
  type ToolUIPart,
} from 'agent-gateway-client';
import { describe, expect, it } from 'vitest';

let seq = 0;
const agent = (event: AgentStreamEvent): SessionFrame => ({ type: 'agent_event', id: `e${++seq}`, event });
const start = (args = '') =>
  agent({ kind: 'tool_call_start', toolCallId: 'call-1', name: 'get_weather', arguments: args });
const delta = (args: string, toolCallId = 'call-1') =>
  agent({ kind: 'tool_call_delta', toolCallId, arguments: args });
const end = (toolCallId = 'call-1') => agent({ kind: 'tool_call_end', toolCallId });
const result = (text: string, toolCallId = 'call-1') =>
  agent({ kind: 'tool_result', toolCallId, result: text });
const json = (value: unknown) => JSON.stringify(value);
const descriptor: ToolDescriptor = {
  apiName: 'weather.forecast',
  arguments: '{"city":"Paris"}',
  identifier: 'get_weather',
  name: 'Weather forecast',
};
const confirm = (toolCallId = 'call-1'): SessionFrame => ({
  type: 'tool_confirmation_request',
  id: `e${++seq}`,
  toolCallId,
  tool: descriptor,
});
const fold = (frames: SessionFrame[], from: SessionView = initialSessionView) =>
  frames.reduce<SessionView>(foldSessionFrame, from);
const tool = (view: SessionView, index = 0) => view.messages.at(-1)?.parts[index] as ToolUIPart;

describe('session view: tool input', () => {
  it('streams the input from tool_call_start and tool_call_delta', () => {
    const view = fold([start('{"ci'), delta('ty":"Pa'), delta('ris"}')]);
    expect(tool(view)).toEqual({
      type: 'tool',
      toolCallId: 'call-1',
      toolName: 'get_weather',
      input: '{"city":"Paris"}',
      state: 'input-streaming',
    });
  });

  it('tool_call_end makes the input available, parsed', () => {
    const view = fold([start(), delta('{"city":'), delta('"Paris"}'), end()]);
    expect(tool(view)).toMatchObject({ state: 'input-available', parsedInput: { city: 'Paris' } });
  });

  it('keeps the raw input when it is not valid JSON', () => {
    const view = fold([start('{"city": Par'), end()]);
    expect(tool(view).state).toBe('input-available');
    expect(tool(view).input).toBe('{"city": Par');
    expect(tool(view)).not.toHaveProperty('parsedInput');
  });

  it('ignores deltas after the input ended', () => {
    const ended = fold([start('{}'), end()]);
    expect(fold([delta('garbage')], ended)).toBe(ended);
  });
});

describe('session view: approval', () => {
  it('a confirmation request moves the call to approval-requested with the descriptor', () => {
    const view = fold([start(), delta('{"city":"Paris"}'), end(), confirm()]);
    expect(tool(view)).toMatchObject({ state: 'approval-requested', approval: { tool: descriptor } });
    expect(tool(view).approval).not.toHaveProperty('approved');
  });

  it('the user approving moves it to approval-responded, then the result to output-available', () => {
    const requested = fold([start('{}'), end(), confirm()]);
    const responded = respondToToolCall(requested, 'call-1', true);
    expect(tool(responded)).toMatchObject({ state: 'approval-responded', approval: { approved: true } });
    const done = fold([result(json({ tempC: 24 }))], responded);
    expect(tool(done)).toMatchObject({
      state: 'output-available',
      output: '{"tempC":24}',
      parsedOutput: { tempC: 24 },
      approval: { approved: true },
    });
  });

  it('the user rejecting ends in output-denied, whatever the result says', () => {
    const rejected = respondToToolCall(fold([start('{}'), end(), confirm()]), 'call-1', false);
    expect(tool(rejected)).toMatchObject({ state: 'approval-responded', approval: { approved: false } });
    const done = fold([result('not run')], rejected);
    expect(tool(done)).toMatchObject({ state: 'output-denied', output: 'not run' });
  });

  it('a {"denied":true} result is a denial even without a local answer (replay, another tab)', () => {
    const view = fold([start('{}'), end(), confirm(), result('{"denied":true}')]);
    expect(tool(view)).toMatchObject({ state: 'output-denied', approval: { approved: false } });
  });

  it('a result for an unanswered approval implies it was approved', () => {
    const view = fold([start('{}'), end(), confirm(), result(json({ tempC: 24 }))]);
    expect(tool(view)).toMatchObject({ state: 'output-available', approval: { approved: true } });
  });

  it('ignores answers for unknown or already answered calls', () => {
    const requested = fold([start('{}'), end(), confirm()]);
    expect(respondToToolCall(requested, 'call-404', true)).toBe(requested);
    const approved = respondToToolCall(requested, 'call-1', true);
    expect(respondToToolCall(approved, 'call-1', false)).toBe(approved);
    expect(tool(approved).approval?.approved).toBe(true);
  });

  it('a status of running settles approvals answered elsewhere (approval-responded)', () => {
    const view = fold([
      start('{}'),
      end(),
      confirm(),
      { type: 'status_change', id: 's1', status: 'running' },
    ]);
    expect(tool(view).state).toBe('approval-responded');
  });
});

describe('session view: tool output', () => {
  it('a JSON result with an error string ends in output-error with its text', () => {
    const text = json({ error: 'City not found', code: 404 });
    const view = fold([start('{}'), end(), result(text)]);
    expect(tool(view)).toMatchObject({
      state: 'output-error',
      errorText: 'City not found',
      output: text,
      parsedOutput: { error: 'City not found', code: 404 },
    });
  });

  it('JSON results that are not error or denial objects are outputs, whatever their shape', () => {
    for (const value of [
      null,
      'text',
      42,
      [{ error: 'in an array' }],
      { error: { nested: true } },
      { denied: 'yes' },
    ]) {
      const view = fold([start('{}'), end(), result(json(value))]);
      expect(tool(view)).toMatchObject({
        state: 'output-available',
        output: json(value),
        parsedOutput: value,
      });
      expect(tool(view)).not.toHaveProperty('errorText');
    }
  });

  it('a result that is not JSON is the output as it is, with nothing parsed', () => {
    for (const text of ['Sunny, 24 °C', '', '{"error": unterminated', 'denied']) {
      const view = fold([start('{}'), end(), result(text)]);
      expect(tool(view)).toMatchObject({ state: 'output-available', output: text });
      expect(tool(view)).not.toHaveProperty('parsedOutput');
    }
  });

  it('keeps the first result of a call', () => {
    const done = fold([start('{}'), end(), result('1')]);
    expect(fold([result('2')], done)).toBe(done);
  });
});

describe('session view: unknown toolCallId (a resume that starts mid-call)', () => {
  it('a delta creates the part, streaming, with no name', () => {
    const view = fold([delta('{"a":1}', 'call-9')]);
    expect(tool(view)).toEqual({
      type: 'tool',
      toolCallId: 'call-9',
      toolName: '',
      input: '{"a":1}',
      state: 'input-streaming',
    });
  });

  it('an end creates the part with its input available', () => {
    expect(tool(fold([end('call-9')]))).toMatchObject({ toolCallId: 'call-9', state: 'input-available' });
  });

  it('a result creates the part with its output', () => {
    expect(tool(fold([result('{"ok":true}', 'call-9')]))).toMatchObject({
      toolCallId: 'call-9',
      state: 'output-available',
      output: '{"ok":true}',
      parsedOutput: { ok: true },
    });
  });

  it('a confirmation request creates the part from its descriptor', () => {
    expect(tool(fold([confirm('call-9')]))).toEqual({
      type: 'tool',
      toolCallId: 'call-9',
      toolName: 'get_weather',
      input: '{"city":"Paris"}',
      parsedInput: { city: 'Paris' },
      approval: { tool: descriptor },
      state: 'approval-requested',
    });
  });

  it('the created part closes the streaming text before it', () => {
    const view = fold([agent({ kind: 'text_delta', content: 'Hi' }), result('1', 'call-9')]);
    expect(view.messages[0]?.parts.map((part) => [part.type, part.state])).toEqual([
      ['text', 'done'],
      ['tool', 'output-available'],
    ]);
  });
});
