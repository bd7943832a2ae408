/** The secret the benchmark gateway verifies tokens with. */
export const BENCH_SECRET = 'bench-secret-of-at-least-32-bytes';

/** What the benchmarks ask the gateway process. */
export type GatewayRequest =
  | { id: number; cmd: 'publish'; chatKey: string; count: number }
  | { id: number; cmd: 'memory' }
  | { id: number; cmd: 'connections' }
  | { id: number; cmd: 'drop'; chatKey: string }
  | { id: number; cmd: 'stop' };

/** Its answer: a number (port, log size, heap bytes, connection count). */
export interface GatewayResponse {
  id: number;
  value: number;
}
