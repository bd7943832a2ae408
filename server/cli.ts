#!/usr/bin/env node
/**
 * `agent-gateway` (the package's `bin`; `npm run gateway` in this repository): runs the reference
 * gateway with the scripted demo agent. Without a secret it generates a random one and prints it:
 * there is no built-in key. Prints a token for `--chat-key` (default `demo`, valid one hour) to paste
 * into a client. `--dialect original` plays the original gateway (bare `auth_success`, no extensions),
 * `--dialect lobehub` LobeHub's v1 gateway.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { GATEWAY_DIALECTS, type GatewayDialect, sessionKeyParameter } from './core/dialect.js';
import { MIN_SECRET_BYTES, secretBytes } from './core/tokenCheck.js';
import { createDemoAgent } from './demoAgent.js';
import { createGatewayServer } from './gateway.js';
import { createSessionToken, createTokenVerifier } from './tokens.js';

const USAGE = `Usage: agent-gateway [options]

Runs the reference agent gateway (WebSocket endpoint /ws?chatKey=…, GET /health) with a scripted
demo agent, and prints its URL and a one-hour token for one chatKey. Needs the ws package.

Options:
  --port <n>                 TCP port; 0 picks a free one (default 8787)
  --host <address>           interface to listen on (default 127.0.0.1)
  --secret <secret>          token signing secret, at least ${MIN_SECRET_BYTES} bytes (or GATEWAY_SECRET);
                             without one, a random secret is generated and printed
  --chat-key <key>           chatKey of the printed token (default demo)
  --tokens-per-second <n>    the demo agent's streaming speed; 0 = no pauses (default 40)
  --dialect <name>           reference (every extension, announced), original (the
                             original gateway's frames) or lobehub (LobeHub's v1 gateway:
                             /ws?operationId=…, its events and ids) (default reference)
  -h, --help                 print this help`;

/** Prints why the command line is wrong, then the usage, and exits 2. */
function refuse(message: string): never {
  console.error(`agent-gateway: ${message}\n\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      secret: { type: 'string' },
      'chat-key': { type: 'string', default: 'demo' },
      'tokens-per-second': { type: 'string', default: '40' },
      dialect: { type: 'string', default: 'reference' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  refuse((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535)
  refuse(`--port must be 0…65535 (got "${values.port}")`);
const tokensPerSecond = Number(values['tokens-per-second']);
if (!Number.isFinite(tokensPerSecond) || tokensPerSecond < 0) {
  refuse(`--tokens-per-second must be a number ≥ 0 (got "${values['tokens-per-second']}")`);
}
if (!GATEWAY_DIALECTS.includes(values.dialect as GatewayDialect)) {
  refuse(`--dialect must be ${GATEWAY_DIALECTS.join(', ')} (got "${values.dialect}")`);
}
const dialect = values.dialect as GatewayDialect;

const given = values.secret ?? process.env.GATEWAY_SECRET;
if (given !== undefined && secretBytes(given) < MIN_SECRET_BYTES) {
  console.error(`--secret (or GATEWAY_SECRET) must be at least ${MIN_SECRET_BYTES} bytes; refusing to start`);
  process.exit(2);
}
const secret = given ?? randomBytes(32).toString('base64url');

let gateway;
try {
  gateway = await createGatewayServer({
    port,
    host: values.host,
    dialect,
    verifyToken: createTokenVerifier(secret),
    agent: createDemoAgent({ tokensPerSecond }),
    onError: (error) => console.error('[gateway]', error),
  });
} catch (error) {
  // ws missing, the port taken, …: one line, not a stack trace.
  console.error(`agent-gateway: ${(error as Error).message}`);
  process.exit(1);
}
const keyName = sessionKeyParameter(dialect);
console.log(
  `gateway (${dialect} dialect) listening on ${gateway.url}  (WebSocket endpoint ${gateway.url.replace(/^http/, 'ws')}/ws?${keyName}=…)`,
);
if (given === undefined) {
  console.log(`no --secret or GATEWAY_SECRET given: generated one for this run only: ${secret}`);
}
const chatKey = values['chat-key'];
console.log(
  `token (1 h, ${keyName} "${chatKey}"): ${createSessionToken({ secret, chatKey, ttlMs: 3_600_000 })}`,
);
const running = gateway;
const stop = () => void running.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
