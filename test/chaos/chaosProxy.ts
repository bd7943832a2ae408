import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { type ChaosFaultModel, DEFAULT_FAULT_MODEL } from './faultModel.js';
import { between, chance, type Random } from './random.js';

/** Counters of a chaos proxy. */
export interface ChaosProxyStats {
  /** Links opened to the target (refused connections excluded). */
  connections: number;
  /** Links the proxy cut (every kind below). */
  cuts: number;
  /** Cuts before the 101 response was fully forwarded. */
  handshakeCuts: number;
  /** Cuts that forwarded only part of a chunk (mostly mid-frame). */
  midChunkCuts: number;
  /** Stalls started. */
  stalls: number;
  /** Cuts at the end of a stall. */
  stallCuts: number;
  /** Connections accepted and destroyed during a refusal window. */
  refusals: number;
  /** Sockets (both sides) not yet closed. */
  openSockets: number;
}

/** Options of {@link createChaosProxy}. */
export interface ChaosProxyOptions {
  /** Where links go (the gateway). Required. */
  target: { host: string; port: number };
  /** The seeded random source every fault decision is drawn from. Required. */
  random: Random;
  /** Overrides of {@link DEFAULT_FAULT_MODEL}. Default none. */
  faults?: Partial<ChaosFaultModel>;
  /** Stop injecting faults once this many cuts were made. Default never. */
  maxCuts?: number;
  /** Called after every cut. Default none. */
  onCut?: (stats: Readonly<ChaosProxyStats>) => void;
}

/** A running chaos proxy. */
export interface ChaosProxy {
  /** `http://127.0.0.1:<port>`: the gatewayUrl to give clients. */
  readonly url: string;
  readonly port: number;
  /** Live counters. */
  readonly stats: Readonly<ChaosProxyStats>;
  /** Whether faults are still being injected. */
  readonly injecting: boolean;
  /** Stops injecting: pending cuts are cancelled, stalled links resume, new links are left alone. */
  stopFaults(): void;
  /** Stops faults, destroys every socket and closes the listener. */
  close(): Promise<void>;
}

type Direction = 'up' | 'down';

interface Link {
  client: Socket;
  upstream: Socket;
  state: 'open' | 'stalled' | 'cut';
  handshakeDone: boolean;
  stallWhenUpgraded: boolean;
  /** Bytes each direction may still carry before the link is cut. */
  budget: Record<Direction, number>;
  /** Chunks read while stalled, forwarded in order on resume. */
  held: Record<Direction, Buffer[]>;
  timers: Set<NodeJS.Timeout>;
  closed: number;
}

const HEADERS_END = '\r\n\r\n';

/**
 * A fault-injecting TCP proxy on 127.0.0.1: forwards bytes both ways and, by a seeded PRNG, cuts
 * links at random moments (in the handshake, mid-chunk, at a timer), stalls them, and refuses new
 * connections for a while. It never drops or reorders bytes on a link it keeps: only cuts lose data.
 *
 * @example
 * const proxy = await createChaosProxy({ target: { host: '127.0.0.1', port: gateway.port }, random: mulberry32(seed) });
 */
export async function createChaosProxy(options: ChaosProxyOptions): Promise<ChaosProxy> {
  const model: ChaosFaultModel = { ...DEFAULT_FAULT_MODEL, ...options.faults };
  const { random } = options;
  const stats: ChaosProxyStats = {
    connections: 0,
    cuts: 0,
    handshakeCuts: 0,
    midChunkCuts: 0,
    stalls: 0,
    stallCuts: 0,
    refusals: 0,
    openSockets: 0,
  };
  const links = new Set<Link>();
  const sockets = new Set<Socket>();
  let injecting = true;
  let refusing = false;
  let refusalTimer: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;

  const pick = ([min, max]: [number, number]) => between(random, min, max);
  const track = (socket: Socket) => {
    sockets.add(socket);
    stats.openSockets++;
    socket.on('error', () => undefined);
    socket.once('close', () => {
      sockets.delete(socket);
      stats.openSockets--;
    });
  };
  const kill = (socket: Socket) => {
    if (socket.destroyed) return;
    if (chance(random, model.reset)) socket.resetAndDestroy();
    else socket.destroy();
  };
  const later = (link: Link, ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      link.timers.delete(timer);
      action();
    }, ms);
    link.timers.add(timer);
  };
  const clearTimers = (link: Link) => {
    for (const timer of link.timers) clearTimeout(timer);
    link.timers.clear();
  };

  const cut = (link: Link, partial?: { to: Socket; bytes: Buffer }) => {
    if (link.state === 'cut') return;
    if (link.state === 'stalled') stats.stallCuts++;
    link.state = 'cut';
    clearTimers(link);
    stats.cuts++;
    if (!link.handshakeDone) stats.handshakeCuts++;
    if (partial) stats.midChunkCuts++;
    for (const socket of [link.client, link.upstream]) {
      // The partial chunk is flushed before the FIN: the peer reads a frame that stops halfway (and
      // reading on lets this socket see the peer's FIN and close).
      if (partial?.to === socket) socket.end(partial.bytes).resume();
      else kill(socket);
    }
    if (options.maxCuts !== undefined && stats.cuts >= options.maxCuts) stopFaults();
    options.onCut?.(stats);
  };

  const noteHandshake = (link: Link, bytes: Buffer) => {
    if (!link.handshakeDone && bytes.includes(HEADERS_END)) link.handshakeDone = true;
  };

  const forward = (link: Link, direction: Direction, chunk: Buffer) => {
    if (link.state === 'cut') return;
    if (link.state === 'stalled') return void link.held[direction].push(chunk);
    const to = direction === 'up' ? link.upstream : link.client;
    const remaining = link.budget[direction];
    if (chunk.length > remaining) {
      const bytes = chunk.subarray(0, remaining);
      if (direction === 'down') noteHandshake(link, bytes);
      return cut(link, bytes.length > 0 ? { to, bytes } : undefined);
    }
    link.budget[direction] = remaining - chunk.length;
    if (direction === 'down') noteHandshake(link, chunk);
    to.write(chunk);
    if (link.stallWhenUpgraded && link.handshakeDone) {
      link.stallWhenUpgraded = false;
      stall(link);
    }
  };

  const resume = (link: Link) => {
    if (link.state !== 'stalled') return;
    link.state = 'open';
    for (const direction of ['up', 'down'] as const) {
      for (const chunk of link.held[direction].splice(0)) forward(link, direction, chunk);
    }
    if ((link.state as Link['state']) === 'cut') return;
    link.client.resume();
    link.upstream.resume();
  };

  const armCut = (link: Link) => {
    if (chance(random, model.longLived)) return later(link, pick(model.longLifetimeMs), () => cut(link));
    later(link, pick(model.lifetimeMs), () => cut(link));
    if (chance(random, model.upstreamCut)) link.budget.up = pick(model.upstreamBytes);
    else link.budget.down = pick(model.downstreamBytes);
  };

  const stall = (link: Link) => {
    if (link.state !== 'open') return;
    link.state = 'stalled';
    stats.stalls++;
    link.client.pause();
    link.upstream.pause();
    const long = chance(random, model.stallLong);
    later(link, pick(long ? model.stallLongMs : model.stallShortMs), () => {
      if (long && chance(random, model.cutAfterLongStall)) return cut(link);
      resume(link);
      if (injecting && link.state === 'open') armCut(link);
    });
  };

  const armFaults = (link: Link) => {
    if (chance(random, model.handshakeCut)) {
      link.budget[chance(random, 0.5) ? 'up' : 'down'] = pick(model.handshakeBytes);
    } else if (chance(random, model.stall)) {
      const when = random();
      if (when < model.stallInRequest) stall(link);
      else if (when < model.stallInRequest + model.stallAfterUpgrade) link.stallWhenUpgraded = true;
      else later(link, pick(model.stallAtMs), () => stall(link));
    } else {
      armCut(link);
    }
  };

  function stopFaults(): void {
    if (!injecting) return;
    injecting = false;
    refusing = false;
    clearTimeout(refusalTimer);
    for (const link of links) {
      if (link.state === 'cut') continue;
      clearTimers(link);
      link.budget = { up: Number.POSITIVE_INFINITY, down: Number.POSITIVE_INFINITY };
      link.stallWhenUpgraded = false;
      resume(link);
    }
  }

  const scheduleRefusals = () => {
    refusalTimer = setTimeout(() => {
      refusing = true;
      refusalTimer = setTimeout(() => {
        refusing = false;
        scheduleRefusals();
      }, pick(model.refuseForMs));
    }, pick(model.refuseEveryMs));
  };

  const server = createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    if (injecting && refusing) {
      stats.refusals++;
      return kill(client);
    }
    stats.connections++;
    const upstream = connect(options.target.port, options.target.host);
    track(upstream);
    const link: Link = {
      client,
      upstream,
      state: 'open',
      handshakeDone: false,
      stallWhenUpgraded: false,
      budget: { up: Number.POSITIVE_INFINITY, down: Number.POSITIVE_INFINITY },
      held: { up: [], down: [] },
      timers: new Set(),
      closed: 0,
    };
    links.add(link);
    client.on('data', (chunk: Buffer) => forward(link, 'up', chunk));
    upstream.on('data', (chunk: Buffer) => forward(link, 'down', chunk));
    // A close that is not a cut travels on as a FIN, after the bytes already written.
    const onClose = (other: Socket) => () => {
      if (link.state !== 'cut' && !other.destroyed) other.end();
      if (++link.closed === 2) {
        clearTimers(link);
        links.delete(link);
      }
    };
    client.once('close', onClose(upstream));
    upstream.once('close', onClose(client));
    upstream.once('connect', () => {
      if (injecting) armFaults(link);
      if (link.state === 'open') client.resume();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  scheduleRefusals();
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    get injecting() {
      return injecting;
    },
    stopFaults,
    close() {
      closing ??= new Promise<void>((resolve) => {
        stopFaults();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
