/**
 * `npm run gateway:cloudflare`: `wrangler dev` on http://127.0.0.1:8787 with a token-signing secret
 * and a runtime API key made for this run (printed; pass your own with GATEWAY_SECRET and
 * RUNTIME_API_KEY). The Worker refuses to run without them: there is no built-in key.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const secret = process.env.GATEWAY_SECRET ?? randomBytes(32).toString('base64url');
const apiKey = process.env.RUNTIME_API_KEY ?? randomBytes(32).toString('base64url');
process.stdout.write(
  `GATEWAY_SECRET=${secret}\nRUNTIME_API_KEY=${apiKey}\n` +
    `terminal demo against it: npm run demo:terminal -- --engine=cloudflare --url http://127.0.0.1:8787 --secret ${secret} --api-key ${apiKey}\n`,
);
const wrangler = spawn(
  'npx',
  [
    'wrangler',
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    '8787',
    '--var',
    `GATEWAY_SECRET:${secret}`,
    '--var',
    `RUNTIME_API_KEY:${apiKey}`,
    ...process.argv.slice(2),
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
  },
);
wrangler.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => wrangler.kill(signal));
