/**
 * Starts the reference gateway from the installed package's `./server` on a free loopback port with
 * the scripted agent at full speed, and prints one JSON line: its URL and a token for chatKey `demo`.
 * Runs until it is sent SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import {
  createDemoAgent,
  createGatewayServer,
  createSessionToken,
  createTokenVerifier,
} from 'agent-gateway-client/server';

const secret = randomBytes(32).toString('base64url');
const gateway = await createGatewayServer({
  port: 0,
  verifyToken: createTokenVerifier(secret),
  agent: createDemoAgent({ tokensPerSecond: 0 }),
});
console.log(JSON.stringify({ url: gateway.url, token: createSessionToken({ secret, chatKey: 'demo' }) }));
process.on('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
