import type { FrameSpec, IdSpec } from './frames.js';
import type { FuzzSocket } from './fuzzSocket.js';

/** A frame as sent: the raw text, whether it is a valid server message, its type and its id. */
export interface Wire {
  raw: string;
  valid: boolean;
  type: string;
  id?: string;
}

const HISTORY_LENGTH = 64;

/**
 * The scripted server's side of the wire: turns frame specs into text, numbering ids (`e1`, `e2`, …)
 * and remembering recent id-bearing frames, which duplicates and replays are made of.
 */
export class ServerFrames {
  /** The last id handed out by `next`. */
  lastId = 0;
  readonly #history: Wire[] = [];

  constructor(
    /** The server acks heartbeats it never received. */
    readonly strayAcks: boolean,
  ) {}

  /** The frame `spec` describes, or `undefined` when it cannot be sent now (nothing to ack or replay). */
  render(spec: FrameSpec, socket: FuzzSocket): Wire | undefined {
    switch (spec.frame) {
      case 'valid':
        return this.#valid(spec.body, spec.id);
      case 'ack':
        // An honest server answers each heartbeat once, in order.
        if (!this.strayAcks && socket.acksSent >= socket.heartbeatsWritten) return undefined;
        socket.acksSent++;
        return { raw: '{"type":"heartbeat_ack"}', valid: true, type: 'heartbeat_ack' };
      case 'malformed':
        return { raw: spec.raw, valid: false, type: 'malformed' };
      case 'truncated': {
        const full = JSON.stringify({ ...spec.body, id: `e${this.lastId + 1}` });
        return { raw: full.slice(0, 1 + (spec.keep % (full.length - 1))), valid: false, type: 'truncated' };
      }
      case 'replay':
        return this.#earlier(spec.back);
    }
  }

  /** A valid `agent_event` with the next id. */
  event(event: Record<string, unknown>): Wire {
    return this.#valid({ type: 'agent_event', event }, { id: 'next' });
  }

  #valid(body: Record<string, unknown>, idSpec: IdSpec | undefined): Wire {
    const type = String(body.type);
    if (idSpec === undefined) return { raw: JSON.stringify(body), valid: true, type };
    const id = this.#id(idSpec);
    const wire = { raw: JSON.stringify({ ...body, id }), valid: true, type, id };
    if (this.#history.push(wire) > HISTORY_LENGTH) this.#history.shift();
    return wire;
  }

  #earlier(back: number): Wire | undefined {
    return this.#history[this.#history.length - 1 - (back % Math.max(1, this.#history.length))];
  }

  #id(spec: IdSpec): string {
    switch (spec.id) {
      case 'next':
        return `e${++this.lastId}`;
      case 'ahead':
        return `e${this.lastId + 1 + spec.by}`;
      case 'again':
        return this.#earlier(spec.back)?.id ?? `e${++this.lastId}`;
      case 'odd':
        return spec.value;
    }
  }
}
