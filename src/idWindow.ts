/** The hash of an id: FNV-1a over its length and its last (most varying) characters. */
function hashOf(id: string): number {
  let hash = 0x811c9dc5 ^ id.length;
  for (let i = id.length > 12 ? id.length - 12 : 0; i < id.length; i++)
    hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash | 0;
}

/**
 * The ids of the last `size` events delivered, for an exact "delivered already?" on every frame. The
 * ids sit in a ring (delivery order, oldest overwritten); an open-addressing table of ring places
 * (typed arrays: no pointers for the garbage collector to follow, no rebuilds as a churned `Set` has)
 * finds them by hash, with linear probing and deletion by backward shift. A frame costs one short
 * hash and a probe or two; the table only grows (doubling, up to twice `size`).
 */
export class IdWindow {
  readonly #size: number;
  readonly #ring: string[] = [];
  #ringHashes = new Int32Array(16);
  #next = 0;
  // Table slots: a ring place + 1 (0: empty), and that id's hash.
  #places = new Int32Array(16);
  #hashes = new Int32Array(16);
  #mask = 15;

  constructor(size: number) {
    this.#size = size;
  }

  /** Whether `id` is among the remembered ids. */
  has(id: string): boolean {
    const hash = hashOf(id);
    const places = this.#places;
    for (let i = hash & this.#mask; ; i = (i + 1) & this.#mask) {
      const place = places[i] as number;
      if (place === 0) return false;
      if (this.#hashes[i] === hash && this.#ring[place - 1] === id) return true;
    }
  }

  /** Remembers a new `id`, forgetting the oldest once `size` are remembered. */
  add(id: string): void {
    const hash = hashOf(id);
    const ring = this.#ring;
    let place: number;
    if (ring.length < this.#size) {
      if ((ring.length + 1) * 2 > this.#places.length) this.#grow();
      place = ring.length;
      ring.push(id);
    } else {
      place = this.#next;
      this.#remove(place);
      ring[place] = id;
      this.#next = place + 1 === this.#size ? 0 : place + 1;
    }
    this.#ringHashes[place] = hash;
    this.#insert(place, hash);
  }

  /** Forgets every id. */
  clear(): void {
    this.#ring.length = 0;
    this.#next = 0;
    this.#ringHashes = new Int32Array(16);
    this.#places = new Int32Array(16);
    this.#hashes = new Int32Array(16);
    this.#mask = 15;
  }

  #insert(place: number, hash: number): void {
    let i = hash & this.#mask;
    while (this.#places[i] !== 0) i = (i + 1) & this.#mask;
    this.#places[i] = place + 1;
    this.#hashes[i] = hash;
  }

  /** Takes the id at ring `place` out of the table. */
  #remove(place: number): void {
    const places = this.#places;
    const hashes = this.#hashes;
    const mask = this.#mask;
    let hole = (this.#ringHashes[place] as number) & mask;
    while (places[hole] !== place + 1) hole = (hole + 1) & mask;
    // Backward shift: each later entry of the run moves into the hole unless its home is after the hole.
    for (let i = (hole + 1) & mask; places[i] !== 0; i = (i + 1) & mask) {
      const home = (hashes[i] as number) & mask;
      if (hole <= i ? hole < home && home <= i : hole < home || home <= i) continue;
      places[hole] = places[i] as number;
      hashes[hole] = hashes[i] as number;
      hole = i;
    }
    places[hole] = 0;
  }

  #grow(): void {
    const capacity = this.#places.length * 2;
    const ringHashes = new Int32Array(Math.min(capacity, this.#size));
    ringHashes.set(this.#ringHashes.subarray(0, Math.min(this.#ringHashes.length, ringHashes.length)));
    this.#ringHashes = ringHashes;
    this.#places = new Int32Array(capacity);
    this.#hashes = new Int32Array(capacity);
    this.#mask = capacity - 1;
    for (let place = 0; place < this.#ring.length; place++) this.#insert(place, ringHashes[place] as number);
  }
}
