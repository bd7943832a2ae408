import type { AgentStreamEvent } from 'agent-gateway-client';
import type { Agent, AgentContext } from 'agent-gateway-client/server';
import { between, chance, deriveRandom, type Random } from './random.js';

/** Shared switches between the test and every chaos agent. */
export interface ChaosAgentControl {
  /** Set once the target number of cuts is reached: each session ends after its current round. */
  finishing: boolean;
  /** Set when the test stops early: every agent fails at its next step. */
  halted: boolean;
}

/** The answer a chaos client gives to an input request: it names the request it answers. */
export const answerFor = (prompt: string): string => `answer:${prompt}`;

/** The decision a chaos client gives to a tool confirmation: the agent writes it into the id. */
export const approvalFor = (toolCallId: string): boolean => toolCallId.endsWith('-approve');

const FILLER = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor '.repeat(40);

const text = (random: Random, tag: string): string => {
  // Mostly small deltas, sometimes a large one that spans several TCP chunks.
  const length = chance(random, 0.05) ? between(random, 1000, 3000) : between(random, 1, 120);
  return `${tag} ${FILLER.slice(0, length)}`;
};

/** Emits one step of the stream: 1 event, or 5 for a whole streamed tool call. */
function emitStep(context: AgentContext, random: Random, round: number, step: number): void {
  const tag = `r${round}s${step}`;
  const roll = random();
  if (roll < 0.65) return context.emit({ kind: 'text_delta', content: text(random, tag) });
  if (roll < 0.8) return context.emit({ kind: 'thinking', content: text(random, tag) });
  if (roll < 0.95) {
    const toolCallId = `call-${tag}`;
    const events: AgentStreamEvent[] = [
      { kind: 'tool_call_start', toolCallId, name: 'lookup', arguments: '{"q":' },
      { kind: 'tool_call_delta', toolCallId, arguments: `"${tag}"` },
      { kind: 'tool_call_end', toolCallId },
      { kind: 'tool_result', toolCallId, result: JSON.stringify({ tag, rows: between(random, 0, 9) }) },
    ];
    for (const event of events) context.emit(event);
    return context.emit({ kind: 'step_complete', stepIndex: step });
  }
  context.emit({ kind: 'chaos_marker', tag });
}

/** Asks for this round's human answer (every third round a tool approval, else an input) and checks it. */
async function ask(context: AgentContext, random: Random, round: number): Promise<void> {
  if (round % 3 === 0) {
    const toolCallId = `tool-${round}-${chance(random, 0.5) ? 'approve' : 'reject'}`;
    const approved = await context.requestToolConfirmation(toolCallId, {
      apiName: 'chaos.check',
      arguments: `{"round":${round}}`,
      identifier: 'chaos_check',
      name: 'Chaos check',
    });
    if (approved !== approvalFor(toolCallId)) throw new Error(`${toolCallId} was answered ${approved}`);
    context.setStatus('running');
    return context.emit({ kind: 'tool_result', toolCallId, result: JSON.stringify({ approved }) });
  }
  const prompt = `prompt-${round}`;
  const answer = await context.requestInput(prompt);
  if (answer !== answerFor(prompt)) throw new Error(`${prompt} was answered ${answer}`);
  context.setStatus('running');
  context.emit({ kind: 'text_delta', content: `ack:${answer}` });
}

/**
 * An agent that streams rounds of events (small sleeps between steps, so traffic keeps flowing) and
 * ends each round with an input request or a tool approval, until the test says it is finishing.
 *
 * @example
 * await createGatewayServer({ verifyToken, agent: createChaosAgent({ seed, control }) });
 */
export function createChaosAgent(options: {
  seed: number;
  control: ChaosAgentControl;
  /** Rounds every session runs at least. Default 3. */
  minRounds?: number;
  /** Steps per round. Default [15, 50]. */
  stepsPerRound?: [number, number];
  /** Pause between steps. Default [0, 5] ms. */
  stepPauseMs?: [number, number];
}): Agent {
  const { control, minRounds = 3, stepsPerRound = [15, 50], stepPauseMs = [0, 5] } = options;
  return async (context) => {
    const random = deriveRandom(options.seed, `agent:${context.chatKey}`);
    context.setStatus('running');
    let round = 0;
    while (round < minRounds || !control.finishing) {
      round++;
      const steps = between(random, ...stepsPerRound);
      for (let step = 1; step <= steps; step++) {
        if (control.halted) throw new Error('The chaos run was halted');
        emitStep(context, random, round, step);
        await context.sleep(between(random, ...stepPauseMs));
      }
      await ask(context, random, round);
    }
    context.emit({ kind: 'message_complete', messageId: `${context.chatKey}-final` });
    return `${round} rounds`;
  };
}
