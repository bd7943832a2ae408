/** The hash of an id: FNV-1a over its length and its last (most varying) characters. */
function hashOf(id: string): number {
  let hash = 0x811c9dc5 ^ id.length;
  for (let i = id.length > 12 ? id.length - 12 : 0; i < id.length; i++)
    hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash | 0;
}

// A run's numbers stay exact doubles and print back as the id they came from.
const MAX_DIGITS = 15;

/**
 * The ids of the last `size` events delivered, for an exact "delivered already?" on every frame.
 *
 * Gateways number their events (`<epoch>.<n>`, or plain integers), and a live stream's ids follow
 * each other: the newest ids are kept as such a run, two numbers and a prefix, with no string kept
 * and nothing hashed. Any other id, and a run once another id breaks it, go to a ring (delivery
 * order, oldest overwritten) indexed by an open-addressing table of ring places (typed arrays: no
 * pointers for the garbage collector to follow, no rebuilds as a churned `Set` has), with linear
 * probing and deletion by backward shift. Every id carries the number of its addition (its stamp):
 * an id is remembered while it is among the last `size` added, wherever it is kept.
 */
export class IdWindow {
  readonly #size: number;
  // Ids added so far: the stamp of the next one.
  #added = 0;
  // The run: ids `#runPrefix + n` for n from #runFirst to #runLast, the first stamped #runStamp.
  #runPrefix: string | undefined;
  #runFirst = 0;
  #runLast = 0;
  #runStamp = 0;
  // Where the number read last by #numberOf starts in its id.
  #numberStart = 0;
  readonly #ring: string[] = [];
  #ringHashes = new Int32Array(16);
  #ringStamps = new Float64Array(16);
  #next = 0;
  // The stamp of the newest id in the ring; -Infinity when it is empty.
  #ringNewest = -Infinity;
  // Table slots: a ring place + 1 (0: empty), and that id's hash.
  #places = new Int32Array(16);
  #hashes = new Int32Array(16);
  #mask = 15;

  constructor(size: number) {
    this.#size = size;
  }

  /** Whether `id` is among the remembered ids. */
  has(id: string): boolean {
    const n = this.#numberOf(id);
    return (n >= 0 && this.#inRun(id, this.#numberStart, n)) || this.#inRing(id);
  }

  /** Remembers `id` and returns `true`, or returns `false` when it is remembered already; the oldest is forgotten once `size` are. */
  addIfNew(id: string): boolean {
    const n = this.#numberOf(id);
    const start = this.#numberStart;
    if ((n >= 0 && this.#inRun(id, start, n)) || this.#inRing(id)) return false;
    // The hot path: the id that follows the run's last.
    if (n === this.#runLast + 1 && this.#runHas(id, start)) {
      this.#runLast = n;
      this.#added++;
      return true;
    }
    this.#flushRun();
    if (n < 0) this.#addToRing(id, this.#added++);
    else {
      this.#runPrefix = id.slice(0, start);
      this.#runFirst = this.#runLast = n;
      this.#runStamp = this.#added++;
    }
    return true;
  }

  /** Forgets every id. */
  clear(): void {
    this.#added = 0;
    this.#runPrefix = undefined;
    this.#ring.length = 0;
    this.#next = 0;
    this.#ringNewest = -Infinity;
    this.#ringHashes = new Int32Array(16);
    this.#ringStamps = new Float64Array(16);
    this.#places = new Int32Array(16);
    this.#hashes = new Int32Array(16);
    this.#mask = 15;
  }

  /**
   * The number that ends `id` after its last `.` (the whole id when it has none), written as a plain
   * decimal prints (digits only, no leading zero, at most 15), and where it starts (#numberStart);
   * -1 when there is none. Then `id` is its prefix followed by `String(number)`.
   */
  #numberOf(id: string): number {
    // One pass backwards with `charCodeAt`: `lastIndexOf` and slicing cost several times more here.
    const length = id.length;
    let start = length;
    let value = 0;
    for (let scale = 1; start > 0; scale *= 10) {
      const digit = id.charCodeAt(start - 1) - 48;
      if (digit < 0 || digit > 9) break;
      value += digit * scale;
      start--;
    }
    this.#numberStart = start;
    const digits = length - start;
    if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && id.charCodeAt(start) === 48)) return -1;
    return start === 0 || id.charCodeAt(start - 1) === 46 ? value : -1;
  }

  /** Whether the run has `id`'s prefix (its first `start` characters). */
  #runHas(id: string, start: number): boolean {
    const prefix = this.#runPrefix;
    if (prefix === undefined || prefix.length !== start) return false;
    // A loop rather than `startsWith`: these prefixes are short, and the builtin call costs more.
    for (let i = 0; i < start; i++) if (prefix.charCodeAt(i) !== id.charCodeAt(i)) return false;
    return true;
  }

  /** Whether `id` (its number `n` after `start`) is one of the run's ids still remembered. */
  #inRun(id: string, start: number, n: number): boolean {
    const oldest = Math.max(this.#runFirst, this.#runFirst + this.#added - this.#size - this.#runStamp);
    return n >= oldest && n <= this.#runLast && this.#runHas(id, start);
  }

  /** Whether `id` is in the ring and still remembered. */
  #inRing(id: string): boolean {
    const oldest = this.#added - this.#size;
    // Nothing in the ring is remembered any more (the steady state of a run): no hashing.
    if (this.#ringNewest < oldest) return false;
    const hash = hashOf(id);
    const places = this.#places;
    for (let i = hash & this.#mask; ; i = (i + 1) & this.#mask) {
      const place = places[i] as number;
      if (place === 0) return false;
      if (this.#hashes[i] === hash && this.#ring[place - 1] === id)
        return (this.#ringStamps[place - 1] as number) >= oldest;
    }
  }

  /** Moves the run's remembered ids to the ring, in their order: the run is over. */
  #flushRun(): void {
    const prefix = this.#runPrefix;
    if (prefix === undefined) return;
    this.#runPrefix = undefined;
    const skipped = Math.max(0, this.#added - this.#size - this.#runStamp);
    for (let n = this.#runFirst + skipped; n <= this.#runLast; n++)
      this.#addToRing(`${prefix}${n}`, this.#runStamp + n - this.#runFirst);
  }

  #addToRing(id: string, stamp: number): void {
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
    this.#ringStamps[place] = stamp;
    this.#ringNewest = stamp;
    this.#insert(place, hash);
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
    const length = Math.min(capacity, this.#size);
    const ringHashes = new Int32Array(length);
    ringHashes.set(this.#ringHashes.subarray(0, Math.min(this.#ringHashes.length, length)));
    const ringStamps = new Float64Array(length);
    ringStamps.set(this.#ringStamps.subarray(0, Math.min(this.#ringStamps.length, length)));
    this.#ringHashes = ringHashes;
    this.#ringStamps = ringStamps;
    this.#places = new Int32Array(capacity);
    this.#hashes = new Int32Array(capacity);
    this.#mask = capacity - 1;
    for (let place = 0; place < this.#ring.length; place++) this.#insert(place, ringHashes[place] as number);
  }
}
