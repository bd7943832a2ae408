/** Probabilities and ranges (inclusive, ms or bytes) of the faults the proxy injects. */
export interface ChaosFaultModel {
  /** A new link is cut inside the WebSocket handshake (upgrade request or 101 response). Default 0.12. */
  handshakeCut: number;
  /** Bytes of the handshake forwarded (in one direction) before such a cut. Default [0, 120]. */
  handshakeBytes: [number, number];
  /** Otherwise, a link stalls once (both directions stop). Default 0.1. */
  stall: number;
  /** A stall starts before the upgrade request is forwarded (the client's connect timeout fires). Default 0.15. */
  stallInRequest: number;
  /** A stall starts right after the 101 response (the client's auth timeout fires). Default 0.15. */
  stallAfterUpgrade: number;
  /** Otherwise, when the stall starts after the link opened. Default [10, 300] ms. */
  stallAtMs: [number, number];
  /** A stall is long (past the client's heartbeat deadline) rather than short. Default 0.6. */
  stallLong: number;
  /** A short stall, after which the link resumes. Default [30, 150] ms. */
  stallShortMs: [number, number];
  /** A long stall: with heartbeat 250 ms + ack timeout 250 ms, the client declares the link dead first. Default [650, 1000] ms. */
  stallLongMs: [number, number];
  /** After a long stall the link is cut rather than resumed. Default 0.5. */
  cutAfterLongStall: number;
  /** Otherwise (and after a resumed stall), the link is cut at a random moment… Default [10, 400] ms. */
  lifetimeMs: [number, number];
  /** …or lives long (heartbeats, minUptime, confirmed commands). Default 0.1. */
  longLived: number;
  /** Lifetime of a long-lived link. Default [800, 2000] ms. */
  longLifetimeMs: [number, number];
  /** …or earlier, mid-chunk, once this many bytes went server → client. Default [1, 12000]. */
  downstreamBytes: [number, number];
  /** The byte budget is on the client → server direction (cuts a command mid-frame). Default 0.3. */
  upstreamCut: number;
  /** Bytes client → server (the upgrade request is ~230) before such a cut. Default [250, 700]. */
  upstreamBytes: [number, number];
  /** Time between two refusal windows. Default [1000, 3000] ms. */
  refuseEveryMs: [number, number];
  /** Length of a refusal window: new connections are accepted and destroyed at once. Default [100, 400] ms. */
  refuseForMs: [number, number];
  /** A killed socket gets an RST rather than a FIN. Default 0.5. */
  reset: number;
}

/** The default fault model (see {@link ChaosFaultModel}). */
export const DEFAULT_FAULT_MODEL: Readonly<ChaosFaultModel> = Object.freeze<ChaosFaultModel>({
  handshakeCut: 0.12,
  handshakeBytes: [0, 120],
  stall: 0.1,
  stallInRequest: 0.15,
  stallAfterUpgrade: 0.15,
  stallAtMs: [10, 300],
  stallLong: 0.6,
  stallShortMs: [30, 150],
  stallLongMs: [650, 1000],
  cutAfterLongStall: 0.5,
  lifetimeMs: [10, 400],
  longLived: 0.1,
  longLifetimeMs: [800, 2000],
  downstreamBytes: [1, 12_000],
  upstreamCut: 0.3,
  upstreamBytes: [250, 700],
  refuseEveryMs: [1000, 3000],
  refuseForMs: [100, 400],
  reset: 0.5,
});
