/**
 * Runs the reference gateway alone: `npm run gateway -- --port 8787 --secret <32+ bytes>` (or
 * `GATEWAY_SECRET`). Without a secret it generates a random one and prints it: there is no built-in
 * key. Prints a token for `--chat-key` (default `demo`, valid one hour) to paste into a client.
 * `--dialect original` plays the original gateway (bare `auth_success`, no extensions).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { GATEWAY_DIALECTS, type GatewayDialect } from './core/dialect.js';
import { MIN_SECRET_BYTES, secretBytes } from './core/tokenCheck.js';
import { createDemoAgent } from './demoAgent.js';
import { createGatewayServer } from './gateway.js';
import { createSessionToken, createTokenVerifier } from './tokens.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    secret: { type: 'string' },
    'chat-key': { type: 'string', default: 'demo' },
    'tokens-per-second': { type: 'string', default: '40' },
    dialect: { type: 'string', default: 'reference' },
  },
});
if (!GATEWAY_DIALECTS.includes(values.dialect as GatewayDialect)) {
  console.error(`--dialect must be ${GATEWAY_DIALECTS.join(' or ')} (got "${values.dialect}")`);
  process.exit(2);
}
const dialect = values.dialect as GatewayDialect;

const given = values.secret ?? process.env.GATEWAY_SECRET;
if (given !== undefined && secretBytes(given) < MIN_SECRET_BYTES) {
  console.error(`--secret (or GATEWAY_SECRET) must be at least ${MIN_SECRET_BYTES} bytes; refusing to start`);
  process.exit(2);
}
const secret = given ?? randomBytes(32).toString('base64url');

const gateway = await createGatewayServer({
  port: Number(values.port),
  host: values.host,
  dialect,
  verifyToken: createTokenVerifier(secret),
  agent: createDemoAgent({ tokensPerSecond: Number(values['tokens-per-second']) }),
  onError: (error) => console.error('[gateway]', error),
});
console.log(
  `gateway (${dialect} dialect) listening on ${gateway.url}  (WebSocket endpoint ${gateway.url.replace(/^http/, 'ws')}/ws?chatKey=…)`,
);
if (given === undefined) {
  console.log(`no --secret or GATEWAY_SECRET given: generated one for this run only: ${secret}`);
}
const chatKey = values['chat-key'];
console.log(
  `token (1 h, chatKey "${chatKey}"): ${createSessionToken({ secret, chatKey, ttlMs: 3_600_000 })}`,
);
const stop = () => void gateway.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
