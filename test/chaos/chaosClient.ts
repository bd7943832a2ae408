import { AgentGatewayClient, type CommandReceipt } from 'agent-gateway-client';
import { lobehubDialect } from 'agent-gateway-client/lobehub';
import type { GatewayDialect } from 'agent-gateway-client/server';
import { WebSocket } from 'ws';
import { answerFor, approvalFor } from './chaosAgent.js';
import { between, type Random } from './random.js';

/** A command the chaos client issued, with the receipt it got. */
export interface IssuedCommand {
  /** The input request or tool call it answers. */
  answers: string;
  commandId: string;
  status: CommandReceipt['status'];
}

/** What one chaos client saw. */
export interface ChaosClientRecord {
  chatKey: string;
  /** Ids of the session frames delivered (`message` listener), in delivery order. */
  ids: string[];
  issued: IssuedCommand[];
  reconnects: number;
  /** Commands the client reported as dropped (an `error` of kind `commandDropped`), and how many it refused. */
  dropped: Array<{ commandId: string; reason: string }>;
  rejected: number;
  /** Socket errors (expected under chaos). */
  linkErrors: number;
  /**
   * Commands the client reported unconfirmed (a gateway without `command_id`): the app answers again
   * on the next link, as a new command; the agent applies an answer to a request once.
   */
  unconfirmed: Array<{ commandId: string; answers: string }>;
  /** Every other error: session errors, malformed frames, refused or dropped commands (none expected). */
  errors: string[];
  completed: boolean;
}

/** A running chaos client. */
export interface ChaosClient {
  readonly chatKey: string;
  readonly client: AgentGatewayClient;
  readonly record: ChaosClientRecord;
  /** How many times each command was written to a socket (more than once: re-sent after a lost link). */
  readonly writes: ReadonlyMap<string, number>;
  /** How many command frames were written for each request or tool call they answer. */
  readonly writesByAnswer: ReadonlyMap<string, number>;
  /** Links the client itself declared dead, by close reason (`Heartbeat timeout`, `Connect timeout`, …). */
  readonly closes: ReadonlyMap<string, number>;
  /** Every WebSocket the client opened. */
  readonly sockets: WebSocket[];
  /** Resolves on `session_complete`. */
  readonly completed: Promise<void>;
  /** Cancels pending answers and disposes the client. */
  dispose(): void;
}

/** Fast timings: heartbeat and ack deadline 250 ms, backoff 5–50 ms, unlimited attempts. */
export const CHAOS_CLIENT_TIMINGS = {
  heartbeatIntervalMs: 250,
  heartbeatTimeoutMs: 250,
  initialReconnectDelayMs: 5,
  maxReconnectDelayMs: 50,
  maxReconnectAttempts: 0,
  connectTimeoutMs: 500,
  authTimeoutMs: 500,
  minUptimeMs: 150,
} as const;

/**
 * The real client (with `ws`) that records what it delivers and answers every input request and
 * tool approval after a random delay, so answers are often issued while the link is down.
 *
 * @example
 * const chaos = startChaosClient({ gatewayUrl: proxy.url, chatKey, token, random });
 * chaos.client.connect(chatKey);
 */
export function startChaosClient(options: {
  gatewayUrl: string;
  chatKey: string;
  token: string;
  random: Random;
  /** Delay before answering. Default [0, 400] ms. */
  answerDelayMs?: [number, number];
  /** The gateway's dialect: LobeHub's needs the client's `lobehubDialect`. Default `reference`. */
  dialect?: GatewayDialect;
}): ChaosClient {
  const { chatKey, random, answerDelayMs = [0, 400] } = options;
  const sockets: WebSocket[] = [];
  const writes = new Map<string, number>();
  const writesByAnswer = new Map<string, number>();
  const closes = new Map<string, number>();
  class CountingWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
      // Counts how often each command is written, to show the exactly-once machinery at work.
      const send = this.send.bind(this) as (data: string) => void;
      (this as { send: (data: string) => void }).send = (data) => {
        const { commandId, requestId, toolCallId } = JSON.parse(data) as Record<string, string | undefined>;
        if (commandId !== undefined) writes.set(commandId, (writes.get(commandId) ?? 0) + 1);
        const answers = requestId ?? toolCallId;
        if (answers !== undefined) writesByAnswer.set(answers, (writesByAnswer.get(answers) ?? 0) + 1);
        send(data);
      };
      const close = this.close.bind(this) as (code?: number, reason?: string) => void;
      (this as { close: (code?: number, reason?: string) => void }).close = (code, reason) => {
        // ws itself calls close(code, Buffer) to echo the gateway's close frame: only the client's own count.
        if (code === 4000 && typeof reason === 'string') closes.set(reason, (closes.get(reason) ?? 0) + 1);
        close(code, reason);
      };
    }
  }
  const client = new AgentGatewayClient({
    gatewayUrl: options.gatewayUrl,
    token: options.token,
    WebSocket: CountingWebSocket,
    jitterSeed: Math.floor(random() * 4_294_967_296),
    watchEnvironment: false,
    logger: { warn: () => undefined, error: (...args) => console.error(...args) },
    ...(options.dialect === 'lobehub' ? { dialect: lobehubDialect } : {}),
    ...CHAOS_CLIENT_TIMINGS,
  });
  const record: ChaosClientRecord = {
    chatKey,
    ids: [],
    issued: [],
    reconnects: 0,
    dropped: [],
    rejected: 0,
    linkErrors: 0,
    unconfirmed: [],
    errors: [],
    completed: false,
  };
  const timers = new Set<NodeJS.Timeout>();
  const answer = new Map<string, () => CommandReceipt>();
  const later = (answers: string, send: () => CommandReceipt) => {
    answer.set(answers, send);
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        const { commandId, status } = send();
        record.issued.push({ answers, commandId, status });
        if (status === 'rejected') record.rejected++;
      },
      between(random, ...answerDelayMs),
    );
    timers.add(timer);
  };

  client.on('message', (message) => {
    if (message.type !== 'resume_complete') record.ids.push(message.id);
  });
  client.on('input_request', ({ requestId, prompt }) =>
    later(requestId, () => client.sendUserInput(requestId, answerFor(prompt))),
  );
  client.on('tool_confirmation_request', ({ toolCallId }) =>
    later(toolCallId, () => client.sendToolConfirmation(toolCallId, approvalFor(toolCallId))),
  );
  client.on('reconnecting', () => record.reconnects++);
  // An answer the gateway may not have got is given again once the link is back.
  let answerAgain: string[] = [];
  client.on('connected', () => {
    for (const answers of answerAgain.splice(0)) later(answers, answer.get(answers) as () => CommandReceipt);
  });
  client.on('error', (error) => {
    // Link errors (the socket's own messages) are expected under chaos: only their number matters.
    if (error.kind === 'link') record.linkErrors++;
    // Reported by the check, with the facts needed to tell a false report from a lost command.
    else if (error.kind === 'commandDropped')
      record.dropped.push({ commandId: error.details.command.commandId, reason: error.details.reason });
    else if (error.kind === 'commandRejected') record.rejected++;
    else if (error.kind === 'commandUnconfirmed') {
      const { commandId, type } = error.details.command;
      const answers =
        type === 'user_input'
          ? error.details.command.requestId
          : type === 'tool_confirmation'
            ? error.details.command.toolCallId
            : '';
      record.unconfirmed.push({ commandId, answers });
      answerAgain = [...answerAgain, answers];
    } else record.errors.push(`${error.name}: ${error.message}`);
  });
  const cancelAnswers = () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
  const completed = new Promise<void>((resolve) =>
    client.on('session_complete', () => {
      record.completed = true;
      // As an app would: a request of a finished session is not answered (again). An answer given
      // again after an unconfirmed link may still be waiting when the first one finished the run.
      cancelAnswers();
      resolve();
    }),
  );

  return {
    chatKey,
    client,
    record,
    writes,
    writesByAnswer,
    closes,
    sockets,
    completed,
    dispose() {
      cancelAnswers();
      client.dispose();
    },
  };
}
