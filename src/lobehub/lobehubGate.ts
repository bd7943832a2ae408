import type { HoldLimits } from '../../machines/connection.machine.js';
import type { SessionStatus } from '../protocol/types.js';
import {
  createHold,
  type GatedFrame,
  type GateOutlet,
  type Hold,
  passFrame,
  type ReplayGate,
} from '../replayGate.js';
import { type SequenceLedger, sequenceOf } from './sequenceLedger.js';

/** An agent event as LobeHub's gateways send it (only what the gate reads). */
interface LobeHubEvent {
  type?: unknown;
  operationId?: unknown;
  stepIndex?: unknown;
  timestamp?: unknown;
  data?: { reason?: unknown } | null;
}

/** The status a gateway leaves on a session when an `agent_runtime_end` with this reason arrives. */
function statusLeftBy(event: LobeHubEvent): SessionStatus {
  const reason = event.data?.reason;
  return reason === 'error' ? 'error' : reason === 'interrupted' ? 'interrupted' : 'completed';
}

const isEnd = (event: LobeHubEvent) => event.type === 'agent_runtime_end' || event.type === 'error';
const idOf = (message: GatedFrame) => (message as { id?: string }).id;
/** A frame's sequence number; `undefined` for one without an id or whose id is not a number. */
const frameSequence = (message: GatedFrame) => {
  const id = idOf(message);
  return id === undefined ? undefined : sequenceOf(id);
};
/** A frame's sequence number (0 for one without a numeric id). */
const sequenceOfFrame = (message: GatedFrame) => frameSequence(message) ?? 0;

/**
 * The replay gate of LobeHub's dialect (docs/lobehub.md). Ids are a sequence, so while the machine
 * sequences (`sequenceFrames`) a frame passes as soon as the one before it did, and one that came
 * early waits; while it buffers (`bufferFrames`, LobeHub's `resumeOnConnect`) everything waits, each
 * frame told so the quiet can start over. `releaseFrames` delivers what waited in id order. Every
 * agent event it delivers is classified: the operation's own end (`agent_runtime_end` or `error` of
 * this operation, or of none) and a group member's end are told to the machine, and so is the
 * operation's first event after a member's end.
 *
 * @example
 * const gate = createLobeHubGate(ledger, outlet, operationId);
 */
export function createLobeHubGate(
  ledger: SequenceLedger,
  outlet: GateOutlet,
  operationId: string,
): ReplayGate {
  let mode: 'sequencing' | 'buffering' | undefined;
  let hold: Hold | undefined;
  // A member's end was the last end delivered: the operation's next own event is told once.
  let memberEndedLast = false;
  // Events without an operationId come from a gateway that predates group mirroring: they are this operation's.
  const isOwn = (event: LobeHubEvent) => event.operationId === undefined || event.operationId === operationId;

  const pass = (message: GatedFrame) => {
    if (message.type !== 'agent_event') return passFrame(message, ledger, outlet);
    if (!ledger.accept(message)) return;
    outlet.agentEvent(message);
    const event = message.event as LobeHubEvent;
    const own = isOwn(event);
    if (isEnd(event)) {
      if (own) return outlet.report({ type: 'server.operationEnded' });
      if (event.type !== 'agent_runtime_end') return;
      memberEndedLast = true;
      return outlet.report({ type: 'server.memberEnded', status: statusLeftBy(event) });
    }
    if (own && memberEndedLast) {
      memberEndedLast = false;
      outlet.report({ type: 'server.operationActive' });
    }
  };

  /** Passes the frames that waited for those just delivered. */
  const passWaiting = (held: Hold) => {
    for (;;) {
      const first = held.frames[0];
      const next = ledger.nextSequence;
      if (first === undefined || first.type === 'resume_complete' || next === undefined) return;
      if (sequenceOfFrame(first) > next) return;
      held.frames.shift();
      pass(first);
    }
  };

  const start = (next: 'sequencing' | 'buffering') => (limits: HoldLimits) => {
    mode = next;
    hold ??= createHold(limits, outlet);
  };

  return {
    offer(message, size) {
      if (hold === undefined) return pass(message);
      if (message.type === 'resume_complete') {
        hold.frames.push(message);
        hold.count(size);
        return outlet.report({ type: 'server.replayEnded' });
      }
      if (mode === 'buffering') {
        hold.frames.push(message);
        hold.count(size);
        const ends =
          message.type === 'session_complete' ||
          (message.type === 'agent_event' &&
            isEnd(message.event as LobeHubEvent) &&
            isOwn(message.event as LobeHubEvent));
        return outlet.report(ends ? { type: 'server.sessionEndHeld' } : { type: 'socket.frameHeld' });
      }
      const sequence = frameSequence(message);
      const next = ledger.nextSequence;
      // Frames that cannot be put in order (no id, an id that is not a number) pass as they come.
      if (sequence === undefined || next === undefined || sequence <= next) {
        pass(message);
        return passWaiting(hold);
      }
      // Early: it waits, in id order, before a held `resume_complete`.
      const frames = hold.frames;
      let at = frames.length;
      while (at > 0) {
        const before = frames[at - 1] as GatedFrame;
        if (before.type !== 'resume_complete' && sequenceOfFrame(before) <= sequence) break;
        at--;
      }
      frames.splice(at, 0, message);
      hold.count(size);
    },
    holdFrames: start('buffering'),
    sequenceFrames: start('sequencing'),
    bufferFrames: start('buffering'),
    releaseFrames() {
      const frames = hold?.take() ?? [];
      hold = undefined;
      mode = undefined;
      const keyed = new Set<string>();
      for (const message of orderForRelease(frames)) {
        // LobeHub's own client drops a repeated id-less event by its type, step and time.
        if (message.type === 'agent_event' && idOf(message) === undefined) {
          const event = message.event as LobeHubEvent;
          const key = `${String(event.type)}_${String(event.stepIndex)}_${String(event.timestamp)}`;
          if (keyed.has(key)) continue;
          keyed.add(key);
        }
        pass(message);
      }
    },
  };
}

/** Frames to release, in order: by sequence (a frame without a numeric id right after the one it came after), `resume_complete` last. */
function orderForRelease(frames: GatedFrame[]): GatedFrame[] {
  let previous = 0;
  const placed = frames
    .filter((message) => message.type !== 'resume_complete')
    .map((message, place) => {
      const sequence = frameSequence(message);
      if (sequence !== undefined) previous = sequence;
      return { message, place, sequence: sequence ?? previous };
    })
    .sort((a, b) => a.sequence - b.sequence || a.place - b.place)
    .map(({ message }) => message);
  return [...placed, ...frames.filter((message) => message.type === 'resume_complete')];
}
