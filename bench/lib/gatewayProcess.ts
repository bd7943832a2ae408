/**
 * The reference gateway in a child process, driven over IPC by the benchmarks: its own file
 * descriptors (10,000 loopback connections need 20,000 in one process), its own heap to measure.
 */
import { createGatewayServer, createTokenVerifier } from '../../server/index.js';
import { BENCH_SECRET, type GatewayRequest, type GatewayResponse } from './gatewayProtocol.js';

const gateway = await createGatewayServer({
  verifyToken: createTokenVerifier(BENCH_SECRET),
  rateLimit: { burst: 1_000_000, perSecond: 1_000_000 },
  authTimeoutMs: 60_000,
  // Benchmarks are one address opening thousands of sockets and replaying 50,000-event logs.
  maxUnauthenticatedSockets: 100_000,
  maxUnauthenticatedPerAddress: 100_000,
  maxLogEvents: 1_000_000,
  idleTimeoutMs: 600_000,
});
const words = ['Paris ', 'is ', 'lovely ', 'in ', 'spring; ', 'pack ', 'an ', 'umbrella. '];
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const reply = (response: GatewayResponse) => process.send?.(response);

process.on('message', (request: GatewayRequest) => {
  switch (request.cmd) {
    case 'publish': {
      const session = gateway.openSession(request.chatKey);
      for (let i = 0; i < request.count; i++) {
        session.publish({
          type: 'agent_event',
          event: { kind: 'text_delta', content: words[i % words.length]! },
        });
      }
      return reply({ id: request.id, value: session.log.size });
    }
    case 'memory':
      gc();
      gc();
      return reply({ id: request.id, value: process.memoryUsage().heapUsed });
    case 'connections':
      return reply({ id: request.id, value: gateway.connectionCount });
    case 'drop':
      return reply({ id: request.id, value: gateway.dropConnections(request.chatKey) });
    case 'stop':
      void gateway.close().then(() => process.exit(0));
  }
});
reply({ id: 0, value: gateway.port });
