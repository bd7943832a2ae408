import type { Agent, AgentContext } from './session.js';

/** Options of the scripted demo agent. */
export interface DemoAgentOptions {
  /** Streaming speed of text deltas; `0` streams without pauses (tests). Default 40 tokens/s. */
  tokensPerSecond?: number;
}

const THINKING =
  'The user wants a trip plan for Paris. I should check the weather forecast before suggesting what to pack.';
const INTRO =
  'I can help you plan your trip to Paris. Let me check the weather forecast first, so my advice fits the days you are there. ';
const TOOL_ARGUMENTS = '{"city":"Paris","days":3,"units":"metric"}';
const FORECAST = {
  city: 'Paris',
  days: [
    { day: 'Friday', summary: 'sunny', highC: 24 },
    { day: 'Saturday', summary: 'light rain', highC: 19 },
    { day: 'Sunday', summary: 'cloudy', highC: 21 },
  ],
};
const AFTER_APPROVAL =
  'The forecast says Friday will be sunny at 24 °C, Saturday brings light rain at 19 °C, and Sunday stays cloudy at 21 °C. ';
const AFTER_REJECTION =
  'No problem, I will not look up the forecast. Early summer in Paris is usually mild, between 18 and 25 °C, with the odd shower. ';
const QUESTION = 'Which day do you plan to spend walking around the city?';

/** The demo's final answer for a given approval and input: what a client should end up showing. */
export function demoFinalAnswer(approved: boolean, day: string): string {
  const weather = approved ? 'the forecast above' : 'the usual weather';
  return `Great choice: for ${day}, pack comfortable shoes, a light jacket and an umbrella, given ${weather}. Enjoy Paris!`;
}

/** Splits text into word tokens that keep their spacing, so the concatenation is the text itself. */
export function toTokens(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}

async function stream(context: AgentContext, kind: 'text_delta' | 'thinking', text: string, pauseMs: number) {
  for (const token of toTokens(text)) {
    if (pauseMs > 0) await context.sleep(pauseMs);
    else if (context.signal.aborted) throw context.signal.reason;
    context.emit({ kind, content: token });
  }
}

/** The demo's reasoning for a prompt (`POST /runs`), or its default when the first socket started it. */
export function demoThinking(prompt?: string): string {
  return prompt === undefined
    ? THINKING
    : `The user asks: "${prompt.trim()}". I should check the weather forecast before suggesting what to pack.`;
}

/**
 * A scripted agent that streams a realistic session: thinking (about the prompt, when the run was
 * started with one), a text answer, a tool call that needs approval (streamed arguments), the tool
 * result, an input request, the final message, and `status_change`s throughout. A rejected tool takes
 * another branch; an interrupt stops it.
 *
 * @example
 * await createGatewayServer({ verifyToken, agent: createDemoAgent({ tokensPerSecond: 40 }) });
 */
export function createDemoAgent(options: DemoAgentOptions = {}): Agent {
  const tokensPerSecond = options.tokensPerSecond ?? 40;
  const pauseMs = tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0;

  return async (context) => {
    context.setStatus('running');
    await stream(context, 'thinking', demoThinking(context.prompt), pauseMs);
    await stream(context, 'text_delta', INTRO, pauseMs);
    context.emit({ kind: 'step_complete', stepIndex: 0 });

    const toolCallId = 'call_weather_1';
    context.emit({ kind: 'tool_call_start', toolCallId, name: 'get_weather', arguments: '' });
    for (const chunk of TOOL_ARGUMENTS.match(/.{1,8}/g) ?? []) {
      if (pauseMs > 0) await context.sleep(pauseMs);
      context.emit({ kind: 'tool_call_delta', toolCallId, arguments: chunk });
    }
    context.emit({ kind: 'tool_call_end', toolCallId });
    const approved = await context.requestToolConfirmation(toolCallId, {
      apiName: 'weather.forecast',
      arguments: TOOL_ARGUMENTS,
      identifier: 'get_weather',
      name: 'Weather forecast',
    });
    context.setStatus('running');
    if (approved) {
      context.emit({ kind: 'tool_result', toolCallId, result: JSON.stringify(FORECAST) });
      await stream(context, 'text_delta', AFTER_APPROVAL, pauseMs);
    } else {
      context.emit({ kind: 'tool_result', toolCallId, result: JSON.stringify({ denied: true }) });
      await stream(context, 'text_delta', AFTER_REJECTION, pauseMs);
    }
    context.emit({ kind: 'step_complete', stepIndex: 1 });

    const day = (await context.requestInput(QUESTION)).trim() || 'Saturday';
    context.setStatus('running');
    await stream(
      context,
      'thinking',
      `The user picked ${day}. I will tailor the packing advice to it.`,
      pauseMs,
    );
    await stream(context, 'text_delta', demoFinalAnswer(approved, day), pauseMs);
    context.emit({ kind: 'message_complete', messageId: 'msg_trip_plan' });
    return approved ? 'Trip plan with the forecast' : 'Trip plan without the forecast';
  };
}

/** The demo's full answer text for a given approval and input (intro, tool branch, final answer). */
export function demoAnswerText(approved: boolean, day: string): string {
  return INTRO + (approved ? AFTER_APPROVAL : AFTER_REJECTION) + demoFinalAnswer(approved, day);
}
