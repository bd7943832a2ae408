import type { ChatRequestOptions, ChatTransport, UIMessage, UIMessageChunk } from 'ai';
import { AgentGatewayClient, type AgentGatewayClientOptions } from '../index.js';
import { readAnswers } from './answers.js';
import { RunFollower } from './runFollower.js';

/** What `startRun` receives: the AI SDK's request for a new answer. */
export interface StartRunRequest<UI_MESSAGE extends UIMessage = UIMessage> extends ChatRequestOptions {
  chatId: string;
  /** The conversation, ending with the user's message. */
  messages: UI_MESSAGE[];
  trigger: 'submit-message' | 'regenerate-message';
  abortSignal: AbortSignal | undefined;
}

/** Options of {@link createGatewayChatTransport}. */
export interface GatewayChatTransportOptions<UI_MESSAGE extends UIMessage = UIMessage> {
  /** Base URL of the gateway (`http`, `https`, `ws` or `wss`). Required. */
  gatewayUrl: string;
  /**
   * Starts the agent run that answers the messages, through the app's backend (e.g. the reference
   * gateway's `POST /runs`), and returns the chatKey of its session: a new one per run. Required.
   */
  startRun(request: StartRunRequest<UI_MESSAGE>): Promise<{ chatKey: string }>;
  /** A token for a run's chatKey, called before every `auth`. Required. */
  getToken(chatKey: string): string | Promise<string>;
  /** The chatKey of a chat's latest run after a page reload, for `resume: true`. Default: only runs this transport started. */
  resumeChatKey?(chatId: string): string | undefined | Promise<string | undefined>;
  /** `stop()` also interrupts the agent; otherwise it only stops following the run. Default `false`. */
  interruptOnStop?: boolean;
  /** The tool name an `input_request` is shown as; answer it with `addToolOutput`. Default `'user_input'`. */
  inputToolName?: string;
  /** Options of each run's `AgentGatewayClient` (backoff, heartbeats, `WebSocket` in Node…). Default none. */
  clientOptions?: Omit<AgentGatewayClientOptions, 'gatewayUrl' | 'token' | 'getToken' | 'lastEventId'>;
}

/** The AI SDK `ChatTransport` over the gateway, with what `useChat` needs beside it. */
export interface GatewayChatTransport<
  UI_MESSAGE extends UIMessage = UIMessage,
> extends ChatTransport<UI_MESSAGE> {
  /** A resumed stream is a replay of the whole run (the AI SDK rebuilds the message from it). */
  readonly resumeStreamIsReplay: true;
  /**
   * For `useChat({ sendAutomaticallyWhen })`: true when the last assistant message holds an answer
   * (`addToolApprovalResponse`, or `addToolOutput` to an input request) not yet sent to its run.
   */
  sendAutomaticallyWhen(options: { messages: UI_MESSAGE[] }): boolean;
  /** The client following a chat's latest run (its connection status, `useGatewaySelector`, the inspector). */
  getClient(chatId: string): AgentGatewayClient | undefined;
  /** Stops following every run (the agents go on) and closes every stream. */
  dispose(): void;
}

/**
 * An AI SDK `ChatTransport` for `useChat` that starts each run with the app's `startRun`, then follows
 * its session over the gateway: streamed text and reasoning, tools, approvals (the stream finishes
 * while one waits; `addToolApprovalResponse` sends it once), input requests (a `user_input` tool the
 * user answers with `addToolOutput`), with the client's reconnects, resumes and exactly-once commands.
 *
 * @example
 * const transport = createGatewayChatTransport({ gatewayUrl, startRun, getToken });
 * const chat = useChat({ transport, sendAutomaticallyWhen: transport.sendAutomaticallyWhen, resume: true });
 */
export function createGatewayChatTransport<UI_MESSAGE extends UIMessage = UIMessage>(
  options: GatewayChatTransportOptions<UI_MESSAGE>,
): GatewayChatTransport<UI_MESSAGE> {
  const inputToolName = options.inputToolName ?? 'user_input';
  const byChat = new Map<string, RunFollower>();
  const byKey = new Map<string, RunFollower>();
  // chatKeys of runs replaced by a newer one: a run is one chatKey, never followed twice.
  const retired = new Set<string>();

  const follow = (chatId: string, chatKey: string): RunFollower => {
    const known = byKey.get(chatKey);
    if (known !== undefined) return known;
    const client = new AgentGatewayClient({
      ...options.clientOptions,
      gatewayUrl: options.gatewayUrl,
      getToken: () => options.getToken(chatKey),
    });
    const follower = new RunFollower(chatKey, client, {
      inputToolName,
      interruptOnStop: options.interruptOnStop ?? false,
    });
    const previous = byChat.get(chatId);
    if (previous !== undefined && previous !== follower) {
      byKey.delete(previous.chatKey);
      retired.add(previous.chatKey);
      previous.dispose();
    }
    byChat.set(chatId, follower);
    byKey.set(chatKey, follower);
    return follower;
  };

  return {
    resumeStreamIsReplay: true,

    async sendMessages({ chatId, messages, trigger, abortSignal, ...request }) {
      const last = messages.at(-1);
      if (trigger === 'submit-message' && last?.role === 'assistant') {
        // A follow-up: the user answered what the run waits on. The message id is the run's chatKey.
        if (retired.has(last.id)) throw new Error(`Message "${last.id}" belongs to an earlier run`);
        const follower = follow(chatId, last.id);
        follower.forward(readAnswers(last, inputToolName));
        return follower.stream('continuation', abortSignal);
      }
      const { chatKey } = await options.startRun({ chatId, messages, trigger, abortSignal, ...request });
      if (byKey.has(chatKey) || retired.has(chatKey))
        throw new Error(
          `startRun returned chatKey "${chatKey}", which already had a run: each run needs its own`,
        );
      return follow(chatId, chatKey).stream('replay', abortSignal);
    },

    async reconnectToStream({ chatId, abortSignal }): Promise<ReadableStream<UIMessageChunk> | null> {
      let follower = byChat.get(chatId);
      if (follower === undefined && options.resumeChatKey !== undefined) {
        const chatKey = await options.resumeChatKey(chatId);
        if (chatKey) follower = follow(chatId, chatKey);
      }
      if (follower === undefined || follower.finished) return null;
      return follower.stream('replay', abortSignal);
    },

    sendAutomaticallyWhen({ messages }) {
      const last = messages.at(-1);
      if (last?.role !== 'assistant') return false;
      const answers = readAnswers(last, inputToolName);
      if (answers.approvals.length === 0 && answers.inputs.length === 0) return false;
      // An unknown run (a page reload) is followed by the follow-up itself, which then knows.
      return byKey.get(last.id)?.hasNewAnswer(answers) ?? !retired.has(last.id);
    },

    getClient: (chatId) => byChat.get(chatId)?.client,

    dispose() {
      for (const follower of byKey.values()) follower.dispose();
      byKey.clear();
      byChat.clear();
    },
  };
}
