import type { ConnectionEvent, HoldLimits } from '../machines/connection.machine.js';
import type { EventLedger } from './ledger.js';
import type { AgentEventMessage, ResumeCompleteMessage, SessionEventMessage } from './protocol/types.js';

/** A frame that goes through the gate: a session frame, or the `resume_complete` that ends a replay. */
export type GatedFrame = SessionEventMessage | ResumeCompleteMessage;

/** Where a gate sends what it lets through, and what it tells the machine. */
export interface GateOutlet {
  /** A new agent event (the hot path). */
  agentEvent(message: AgentEventMessage): void;
  /** Any other frame the gate lets through, in the gateway's order. */
  frame(message: Exclude<GatedFrame, AgentEventMessage>): void;
  /** Tells the connection machine (holds that overflow, a session end held, a replay's end). */
  report(event: ConnectionEvent): void;
}

/**
 * The replay gate of one link (docs/connection-machine.md): every session frame of the link goes
 * through it, each id once. Its methods are named after the machine actions that drive them.
 */
export interface ReplayGate {
  /** A frame of this link, with the length of its text: passed, held or dropped. */
  offer(message: GatedFrame, size: number): void;
  /** Holds every frame from now on, within `limits` (the gateway streams live events before its replay). */
  holdFrames(limits: HoldLimits): void;
  /** LobeHub: frames in id order from now on, those that come early held. The original's gate holds. */
  sequenceFrames(limits: HoldLimits): void;
  /** LobeHub: every frame held and told (`resumeOnConnect`). The original's gate holds. */
  bufferFrames(limits: HoldLimits): void;
  /** The replay is over: what is held is delivered, each once, in order; frames pass from now on. */
  releaseFrames(): void;
}

/** Frames held while a replay's end is awaited, within limits: past them, the machine is told once. */
export interface Hold {
  readonly frames: GatedFrame[];
  /** Adds a frame's text length after placing it (`frames` may be reordered by the caller). */
  count(size: number): void;
  /** The held frames; nothing is held from now on. */
  take(): GatedFrame[];
}

/** A hold within `limits` that tells `outlet` when it passes them. */
export function createHold(limits: HoldLimits, outlet: GateOutlet): Hold {
  const frames: GatedFrame[] = [];
  let bytes = 0;
  let told = false;
  return {
    frames,
    count(size) {
      bytes += size;
      if (told || (frames.length <= limits.maxFrames && bytes <= limits.maxBytes)) return;
      told = true;
      outlet.report({ type: 'socket.holdOverflow' });
    },
    take: () => frames.splice(0),
  };
}

/** Delivers a frame through `outlet` unless its id was delivered already. */
export function passFrame(message: GatedFrame, ledger: EventLedger, outlet: GateOutlet): void {
  if (message.type === 'resume_complete') return outlet.frame(message);
  if (!ledger.accept(message)) return;
  if (message.type === 'agent_event') outlet.agentEvent(message);
  else outlet.frame(message);
}

/**
 * The original protocol's gate: frames pass as they come, or, while the machine holds them, wait
 * until `releaseFrames` delivers each once, at its last place in what was held (the replay repeats
 * what was live before it).
 *
 * @example
 * const gate = createReplayGate(ledger, outlet);
 * gate.offer(message, raw.length);
 */
export function createReplayGate(ledger: EventLedger, outlet: GateOutlet): ReplayGate {
  let hold: Hold | undefined;
  const holdFrames = (limits: HoldLimits) => {
    hold ??= createHold(limits, outlet);
  };
  return {
    offer(message, size) {
      if (hold === undefined) return passFrame(message, ledger, outlet);
      hold.frames.push(message);
      hold.count(size);
      // The end of a replay the gateway does not mark as such (the machine releases, this one last).
      if (message.type === 'resume_complete') outlet.report({ type: 'server.replayEnded' });
      else if (message.type === 'session_complete') outlet.report({ type: 'server.sessionEndHeld' });
    },
    holdFrames,
    sequenceFrames: holdFrames,
    bufferFrames: holdFrames,
    releaseFrames() {
      const frames = hold?.take() ?? [];
      hold = undefined;
      const lastPlace = new Map<string, number>();
      frames.forEach((message, place) => {
        if ('id' in message && message.id !== undefined) lastPlace.set(message.id, place);
      });
      frames.forEach((message, place) => {
        if ('id' in message && message.id !== undefined && lastPlace.get(message.id) !== place)
          ledger.duplicates++;
        else passFrame(message, ledger, outlet);
      });
    },
  };
}
