import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSessionToken } from '../../server/index.js';
import { BENCH_SECRET, type GatewayRequest, type GatewayResponse } from './gatewayProtocol.js';

type Command = GatewayRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Starts the gateway in a child process and returns a handle to drive it. */
export async function startGatewayProcess() {
  const child: ChildProcess = fork(fileURLToPath(new URL('./gatewayProcess.ts', import.meta.url)), {
    execArgv: ['--expose-gc', '--conditions=agent-gateway-client:source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, (value: number) => void>();
  let nextId = 1;
  child.on('message', (response: GatewayResponse) => {
    waiting.get(response.id)?.(response.value);
    waiting.delete(response.id);
  });
  const port = await new Promise<number>((resolve) => waiting.set(0, resolve));
  const ask = (command: Command) =>
    new Promise<number>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ ...command, id });
    });
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: (chatKey: string) => `ws://127.0.0.1:${port}/ws?chatKey=${encodeURIComponent(chatKey)}`,
    tokenFor: (chatKey: string) => createSessionToken({ secret: BENCH_SECRET, chatKey, ttlMs: 3_600_000 }),
    publish: (chatKey: string, count: number) => ask({ cmd: 'publish', chatKey, count }),
    heapUsed: () => ask({ cmd: 'memory' }),
    connections: () => ask({ cmd: 'connections' }),
    drop: (chatKey: string) => ask({ cmd: 'drop', chatKey }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ id: nextId++, cmd: 'stop' });
      }),
  };
}

/** A handle on the gateway process. */
export type GatewayProcess = Awaited<ReturnType<typeof startGatewayProcess>>;
