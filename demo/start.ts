/**
 * `npm start`: the demo page and a gateway with the scripted agent. Open the printed URL.
 * Flags: --port <n> (default 5173), --tokens-per-second <n>, --token-ttl-ms <n>,
 * --engine node|cloudflare (default node: the embedded in-memory gateway; cloudflare: the Durable
 * Object gateway in a local workerd, see docs/cloudflare.md), --dialect reference|original|lobehub
 * (default reference; original plays the original gateway, lobehub LobeHub's v1, Node engine only).
 */
import { parseArgs } from 'node:util';
import { GATEWAY_DIALECTS, type GatewayDialect } from '../server/index.js';
import { type DemoEngine, startDemo } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5173' },
    'tokens-per-second': { type: 'string', default: '40' },
    'token-ttl-ms': { type: 'string' },
    engine: { type: 'string', default: 'node' },
    dialect: { type: 'string', default: 'reference' },
  },
});
if (values.engine !== 'node' && values.engine !== 'cloudflare') {
  console.error(`--engine must be node or cloudflare (got "${values.engine}")`);
  process.exit(2);
}
const engine: DemoEngine = values.engine;
if (!GATEWAY_DIALECTS.includes(values.dialect as GatewayDialect)) {
  console.error(`--dialect must be ${GATEWAY_DIALECTS.join(', ')} (got "${values.dialect}")`);
  process.exit(2);
}
const dialect = values.dialect as GatewayDialect;
if (dialect !== 'reference' && engine === 'cloudflare') {
  console.error(`--dialect ${dialect} plays that gateway on the Node engine only; drop --engine=cloudflare`);
  process.exit(2);
}
const demo = await startDemo({
  port: Number(values.port),
  tokensPerSecond: Number(values['tokens-per-second']),
  engine,
  dialect,
  ...(values['token-ttl-ms'] ? { tokenTtlMs: Number(values['token-ttl-ms']) } : {}),
});
const where =
  engine === 'cloudflare' ? 'Durable Objects in a local workerd' : `in memory, ${dialect} dialect`;
console.log(`Agent gateway demo: ${demo.url}  (gateway ${demo.gatewayUrl}, ${where})`);
console.log('Press Ctrl+C to stop.');
const stop = () => void demo.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
