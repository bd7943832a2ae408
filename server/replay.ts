import type { EventLog } from './eventLog.js';

/** What a paged replay needs from the socket it runs on. */
export interface PagedReplay {
  log: EventLog;
  lastEventId: string;
  /** About this many bytes are read and sent at a time. */
  pageBytes: number;
  /** Whether the socket still wants the replay (it may have closed or lost its token meanwhile). */
  active(): boolean;
  /** Sends one encoded event; `onFlushed` runs once the socket has handed it to the network (or dropped it). */
  send(encoded: string, onFlushed?: () => void): void;
  /** Bytes waiting in the socket's send buffer. */
  buffered(): number;
  /** Called in the same tick as the read that found nothing more: no live event can slip in before it. */
  caughtUp(recovered: boolean): void;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Sends the events after `lastEventId` a page at a time until it has caught up with the log (events
 * appended meanwhile included), yielding to the event loop between pages and waiting for the
 * socket to drain when its buffer holds more than a page: no replay blocks the gateway or fills its
 * memory, whatever the log's size and the reader's speed.
 */
export async function replayInPages(replay: PagedReplay): Promise<void> {
  let { position, recovered } = replay.log.locate(replay.lastEventId);
  for (;;) {
    if (!replay.active()) return;
    const page = replay.log.read(position, replay.pageBytes);
    if (page.gap) recovered = false;
    if (page.encoded.length === 0) return replay.caughtUp(recovered);
    const last = page.encoded.length - 1;
    let flushed: Promise<void> = Promise.resolve();
    page.encoded.forEach((encoded, index) => {
      if (index < last) replay.send(encoded);
      else flushed = new Promise<void>((resolve) => replay.send(encoded, resolve));
    });
    position = page.next;
    await (replay.buffered() > replay.pageBytes ? flushed : nextTurn());
  }
}
