import type { GatewayLimits } from './core/limits.js';

/** A socket's place among the unauthenticated ones: give it back once it authenticates or closes. */
export type QuotaSlot = { ok: true; release: () => void } | { ok: false; status: 429 | 503 };

/**
 * Counts sockets that have not authenticated yet, overall and per address, so a crowd of idle
 * upgrades is refused at the HTTP upgrade instead of held for the auth timeout.
 */
export class UnauthenticatedQuota {
  readonly #byAddress = new Map<string, number>();
  #total = 0;

  constructor(
    private readonly limits: Pick<
      GatewayLimits,
      'maxUnauthenticatedSockets' | 'maxUnauthenticatedPerAddress'
    >,
  ) {}

  /** Sockets counted now. */
  get size(): number {
    return this.#total;
  }

  /** Takes a place for a socket from `address`: 503 when the gateway is full, 429 when that address is. */
  take(address: string): QuotaSlot {
    const fromAddress = this.#byAddress.get(address) ?? 0;
    if (this.#total >= this.limits.maxUnauthenticatedSockets) return { ok: false, status: 503 };
    if (fromAddress >= this.limits.maxUnauthenticatedPerAddress) return { ok: false, status: 429 };
    this.#total++;
    this.#byAddress.set(address, fromAddress + 1);
    let held = true;
    return {
      ok: true,
      release: () => {
        if (!held) return;
        held = false;
        this.#total--;
        const left = (this.#byAddress.get(address) ?? 1) - 1;
        if (left === 0) this.#byAddress.delete(address);
        else this.#byAddress.set(address, left);
      },
    };
  }
}
