/**
 * `npm start`: the demo page and the embedded in-memory gateway. Open the printed URL.
 * Flags: --port <n> (default 5173), --tokens-per-second <n>, --token-ttl-ms <n>.
 */
import { parseArgs } from 'node:util';
import { startDemo } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5173' },
    'tokens-per-second': { type: 'string', default: '40' },
    'token-ttl-ms': { type: 'string' },
  },
});
const demo = await startDemo({
  port: Number(values.port),
  tokensPerSecond: Number(values['tokens-per-second']),
  ...(values['token-ttl-ms'] ? { tokenTtlMs: Number(values['token-ttl-ms']) } : {}),
});
console.log(`Agent gateway demo: ${demo.url}  (gateway ${demo.gateway.url}, in memory)`);
console.log('Press Ctrl+C to stop.');
const stop = () => void demo.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
