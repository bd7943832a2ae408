import type { EventLog } from './eventLog.js';
import type { ReplayPacer } from './replayPacer.js';

/** What a paged replay needs from the socket it runs on. */
export interface PagedReplay {
  log: EventLog;
  lastEventId: string;
  /** About this many bytes are read and sent at a time. */
  pageBytes: number;
  /** Whether the socket still wants the replay (it may have closed or lost its token meanwhile). */
  active(): boolean;
  /** Sends one page of encoded events; `onFlushed` runs once the socket has handed the last to the network (or dropped it). */
  sendPage(encoded: readonly string[], onFlushed: () => void): void;
  /** Bytes waiting in the socket's send buffer. */
  buffered(): number;
  /** Called in the same step as the read that found nothing more: no live event can slip in before it. */
  caughtUp(recovered: boolean): void;
}

/**
 * Sends the events after `lastEventId` a page at a time until it has caught up with the log (events
 * appended meanwhile included). Pages take turns with every other replay's (`ReplayPacer`), and a
 * socket whose buffer holds more than a page gets its next one only once it has drained: no replay
 * blocks the gateway or fills its memory, whatever the log's size and the reader's speed.
 */
export function replayInPages(replay: PagedReplay, pacer: ReplayPacer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let { position, recovered } = replay.log.locate(replay.lastEventId);
    const step = () => {
      try {
        if (!replay.active()) return resolve();
        const page = replay.log.read(position, replay.pageBytes);
        if (page.gap) recovered = false;
        if (page.encoded.length === 0) {
          replay.caughtUp(recovered);
          return resolve();
        }
        position = page.next;
        let flushed = false;
        let waiting = false;
        replay.sendPage(page.encoded, () => {
          flushed = true;
          if (waiting) pacer.enqueue(step);
        });
        if (!flushed && replay.buffered() > replay.pageBytes) waiting = true;
        else pacer.enqueue(step);
      } catch (error) {
        reject(error);
      }
    };
    pacer.enqueue(step);
  });
}
