/**
 * Runs the reference gateway alone: `npm run gateway -- --port 8787 --secret s3cret`.
 * Prints a token to paste into a client (valid one hour, any chatKey). `--dialect original` plays
 * the original gateway (bare `auth_success`, no extensions) for compatibility tests.
 */
import { parseArgs } from 'node:util';
import { GATEWAY_DIALECTS, type GatewayDialect } from './core/dialect.js';
import { createDemoAgent } from './demoAgent.js';
import { createGatewayServer } from './gateway.js';
import { createSessionToken, createTokenVerifier } from './tokens.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    secret: { type: 'string', default: process.env.GATEWAY_SECRET ?? 'dev-secret' },
    'tokens-per-second': { type: 'string', default: '40' },
    dialect: { type: 'string', default: 'reference' },
  },
});
if (!GATEWAY_DIALECTS.includes(values.dialect as GatewayDialect)) {
  console.error(`--dialect must be ${GATEWAY_DIALECTS.join(' or ')} (got "${values.dialect}")`);
  process.exit(2);
}
const dialect = values.dialect as GatewayDialect;

const gateway = await createGatewayServer({
  port: Number(values.port),
  host: values.host,
  dialect,
  verifyToken: createTokenVerifier(values.secret),
  agent: createDemoAgent({ tokensPerSecond: Number(values['tokens-per-second']) }),
  onError: (error) => console.error('[gateway]', error),
});
console.log(
  `gateway (${dialect} dialect) listening on ${gateway.url}  (WebSocket endpoint ${gateway.url.replace(/^http/, 'ws')}/ws?chatKey=…)`,
);
console.log(`token (1 h, any chatKey): ${createSessionToken({ secret: values.secret, ttlMs: 3_600_000 })}`);
const stop = () => void gateway.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
