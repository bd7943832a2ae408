import { EventLedger } from '../ledger.js';

// Ids of LobeHub's gateways: decimal integers from a per-operation sequence that starts at 1.
const MAX_DIGITS = 15;

/** The sequence number of an id, or `undefined` for an id that is not a plain decimal integer. */
export function sequenceOf(id: string): number | undefined {
  const length = id.length;
  if (length === 0 || length > MAX_DIGITS || (length > 1 && id.charCodeAt(0) === 48)) return undefined;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = id.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * The ledger of LobeHub's dialect: ids that are integers are compared as numbers (an id at or below
 * the highest delivered one is a duplicate: one comparison, no set), others as opaque strings.
 */
export class SequenceLedger extends EventLedger {
  // The highest sequence number delivered (or resumed from); `undefined` before any.
  #highest: number | undefined;

  constructor(lastEventId: string, dedupeWindow?: number) {
    super(lastEventId, dedupeWindow);
    this.#highest = sequenceOf(lastEventId);
  }

  /** The sequence number the next new event must have to follow what was delivered: 1 before any; `undefined` when the resume point is not a number. */
  get nextSequence(): number | undefined {
    if (this.#highest !== undefined) return this.#highest + 1;
    return this.lastEventId === '' ? 1 : undefined;
  }

  protected override admit(id: string): boolean {
    const sequence = sequenceOf(id);
    if (sequence === undefined) return super.admit(id);
    if (this.#highest !== undefined && sequence <= this.#highest) return false;
    this.#highest = sequence;
    return true;
  }

  override reset(): void {
    super.reset();
    this.#highest = undefined;
  }
}
