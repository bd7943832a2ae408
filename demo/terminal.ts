/**
 * The terminal demo: starts the embedded gateway with the scripted agent and follows one session,
 * printing streamed text as it arrives and every machine transition, and asking for the tool
 * approval and the input request. `--auto` answers by itself and exits 0 when the session completes.
 *
 * Flags: --auto, --url <gatewayUrl> (use a running gateway; needs --secret), --secret <s> (≥ 32 bytes),
 * --api-key <k> (with --engine=cloudflare --url: the gateway's RUNTIME_API_KEY, or that env var),
 * --tokens-per-second <n>, --drop-every <n> (drop the link after every n events: watch resume),
 * --token-ttl-ms <n> (short-lived tokens: watch auth_expired → refresh on the same socket),
 * --engine node|cloudflare (default node; cloudflare: the Durable Object gateway in a local workerd,
 * or the one at --url, with the agent run here over its runtime API; see docs/cloudflare.md),
 * --dialect reference|original|lobehub (default reference; original or lobehub: the embedded Node
 * gateway plays the original gateway or LobeHub's v1, or the client follows the one at --url that way).
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import {
  createDemoAgent,
  createGatewayServer,
  createSessionToken,
  createTokenVerifier,
  GATEWAY_DIALECTS,
  type GatewayDialect,
  MIN_SECRET_BYTES,
} from '../server/index.js';
import { startCloudflareDemo } from '../server/cloudflare/node/cloudflareDemo.js';
import { AgentGatewayClient, type ConnectionStatus } from '../src/index.js';
import { type AgentStreamEvent as LobeHubEvent, lobehubDialect } from '../src/lobehub/index.js';
import { describeState } from './describeState.js';

const { values: flags } = parseArgs({
  options: {
    auto: { type: 'boolean', default: false },
    url: { type: 'string' },
    secret: { type: 'string' },
    'api-key': { type: 'string' },
    'tokens-per-second': { type: 'string', default: '40' },
    'drop-every': { type: 'string' },
    'token-ttl-ms': { type: 'string' },
    'chat-key': { type: 'string' },
    engine: { type: 'string', default: 'node' },
    dialect: { type: 'string', default: 'reference' },
  },
});

const color = (code: number) => (text: string) =>
  process.stdout.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text;
const dim = color(2);
const cyan = color(36);
const yellow = color(33);
const green = color(32);
const red = color(31);

const auto = flags.auto || !process.stdin.isTTY;
if (!flags.auto && auto) console.log(dim('(no terminal on stdin: answering automatically, as with --auto)'));

const secret = flags.secret ?? randomBytes(32).toString('base64url');
if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
  console.error(`--secret must be at least ${MIN_SECRET_BYTES} bytes (the gateway refuses shorter ones)`);
  process.exit(2);
}
const dropEvery = flags['drop-every'] ? Number(flags['drop-every']) : undefined;
const tokensPerSecond = Number(flags['tokens-per-second']);
if (flags.engine !== 'node' && flags.engine !== 'cloudflare') {
  console.error(`--engine must be node or cloudflare (got "${flags.engine}")`);
  process.exit(2);
}
if (flags.engine === 'cloudflare' && dropEvery) {
  console.error(
    '--drop-every injects faults into the Node gateway; it is not available with --engine=cloudflare',
  );
  process.exit(2);
}
if (!GATEWAY_DIALECTS.includes(flags.dialect as GatewayDialect)) {
  console.error(`--dialect must be ${GATEWAY_DIALECTS.join(', ')} (got "${flags.dialect}")`);
  process.exit(2);
}
const dialect = flags.dialect as GatewayDialect;
if (dialect !== 'reference' && flags.engine === 'cloudflare') {
  console.error(`--dialect ${dialect} plays that gateway on the Node engine only; drop --engine=cloudflare`);
  process.exit(2);
}
const apiKey = flags['api-key'] ?? process.env.RUNTIME_API_KEY;
if (flags.engine === 'cloudflare' && flags.url && !apiKey) {
  console.error(
    "--engine=cloudflare --url needs the gateway's runtime API key: --api-key <k> or RUNTIME_API_KEY",
  );
  process.exit(2);
}
const cloudflare =
  flags.engine === 'cloudflare'
    ? await startCloudflareDemo({
        secret,
        tokensPerSecond,
        ...(flags.url ? { url: flags.url } : {}),
        ...(apiKey ? { apiKey } : {}),
      })
    : undefined;
const gateway =
  flags.url || cloudflare
    ? undefined
    : await createGatewayServer({
        dialect,
        verifyToken: createTokenVerifier(secret),
        agent: createDemoAgent({ tokensPerSecond }),
        faults: dropEvery ? { dropAfterEvents: dropEvery } : {},
      });
const gatewayUrl = cloudflare?.url ?? flags.url ?? gateway?.url ?? '';
const chatKey = flags['chat-key'] ?? `demo-${Date.now().toString(36)}`;
const ttlMs = flags['token-ttl-ms'] ? Number(flags['token-ttl-ms']) : undefined;
const where = gateway
  ? ` (embedded, in memory, ${dialect} dialect)`
  : cloudflare && !flags.url
    ? ' (Durable Objects, local workerd)'
    : '';

console.log(dim(`gateway ${gatewayUrl}${where} · chatKey ${chatKey}`));
// The Node gateway starts the agent on the first auth; on Cloudflare the agent runs here.
const agentRun = cloudflare?.startSession(chatKey);

// LobeHub's gateway follows an operation: the chatKey names it, and its events have their own shape.
const client = new AgentGatewayClient({
  gatewayUrl,
  getToken: () => createSessionToken({ secret, chatKey, ...(ttlMs ? { ttlMs } : {}) }),
  WebSocket,
  initialReconnectDelayMs: 250,
  maxReconnectDelayMs: 2_000,
  ...(dialect === 'lobehub' ? { dialect: lobehubDialect } : {}),
});

// Streamed text goes on the current line; everything else starts on a fresh one.
let midLine = false;
let lastKind: string | undefined;
const line = (text: string) => {
  process.stdout.write(`${midLine ? '\n' : ''}${text}\n`);
  midLine = false;
  lastKind = undefined;
};
const write = (kind: string, text: string) => {
  if (lastKind !== kind) {
    if (midLine) process.stdout.write('\n');
    process.stdout.write(kind === 'thinking' ? dim('thinking: ') : cyan('agent: '));
  }
  process.stdout.write(kind === 'thinking' ? dim(text) : text);
  midLine = true;
  lastKind = kind;
};

let lastState = '';
client.subscribe(() => {
  const state = describeState(client.getSnapshot().state);
  if (state !== lastState) line(dim(`  ⟶ ${state}`));
  lastState = state;
});
client.on('agent_event', ({ event }) => {
  if ('type' in event) return showLobeHubEvent(event as unknown as LobeHubEvent);
  if (event.kind === 'text_delta' || event.kind === 'thinking') write(event.kind, event.content);
  else if (event.kind === 'tool_call_start') line(yellow(`tool call ${event.name} …`));
  else if (event.kind === 'tool_call_end') line(yellow('tool call arguments complete'));
  else if (event.kind === 'tool_result') line(yellow(`tool result: ${event.result}`));
});

/** LobeHub's events, as its web client would show them: text and reasoning chunks, tools, the end. */
function showLobeHubEvent({ type, data }: LobeHubEvent): void {
  if (type === 'stream_chunk' && data.chunkType === 'text') write('text_delta', String(data.content));
  else if (type === 'stream_chunk' && data.chunkType === 'reasoning')
    write('thinking', String(data.reasoning));
  else if (type === 'tool_start') line(yellow(`tool call ${String(data.toolCalling?.apiName)} …`));
  else if (type === 'tool_end') line(yellow(`tool result: ${JSON.stringify(data.result?.content ?? null)}`));
  else if (type === 'agent_runtime_end') line(dim(`  operation ended (${String(data.reason)})`));
}
client.on('session_status', (status) => line(dim(`  session status: ${status}`)));
client.on('reconnecting', (delayMs, attempt) =>
  line(dim(`  link lost: reconnect attempt ${attempt} in ${delayMs} ms`)),
);
client.on('error', (error) =>
  line(red(`  error: ${error instanceof Error ? error.message : String(error)}`)),
);

const prompt = async (question: string, automatic: string): Promise<string> => {
  if (auto) {
    line(`${question} ${green(automatic)} ${dim('(auto)')}`);
    return automatic;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    if (midLine) process.stdout.write('\n');
    midLine = false;
    return (await rl.question(`${question} `)).trim() || automatic;
  } finally {
    rl.close();
  }
};

client.on('tool_confirmation_request', async ({ toolCallId, tool }) => {
  const answer = await prompt(`Allow ${tool.name} with ${tool.arguments}? [Y/n]`, 'y');
  client.sendToolConfirmation(toolCallId, !/^n/i.test(answer));
});
client.on('input_request', async ({ requestId, prompt: question }) => {
  client.sendUserInput(requestId, await prompt(question, 'Saturday'));
});

const outcome = await new Promise<ConnectionStatus | 'complete'>((resolve) => {
  // A session can also end by a terminal resume_complete, which no session_complete frame tells.
  client.on('disconnected', () =>
    resolve(
      client.getSnapshot().disconnectReason === 'sessionComplete' ? 'complete' : client.connectionStatus,
    ),
  );
  client.connect(chatKey);
});

line(
  outcome === 'complete'
    ? green('session complete')
    : red(`session ended: ${client.getSnapshot().disconnectReason}`),
);
client.dispose();
if (outcome === 'complete') await agentRun;
await cloudflare?.close();
await gateway?.close();
process.exit(outcome === 'complete' ? 0 : 1);
