import type { AnyEventObject, AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import { getAdjacencyMap } from 'xstate/graph';

/** What the traversal needs: which events to try in a state, and which states count as the same. */
export interface TourOptions {
  input: unknown;
  events: (snapshot: AnyMachineSnapshot) => AnyEventObject[];
  serializeState: (snapshot: AnyMachineSnapshot) => string;
  /**
   * Events that may share a path: in each state, those of them that leave it where it was (by
   * `serializeState`) are tried one after another on one path instead of one path each.
   */
  chainable?: (event: AnyEventObject) => boolean;
}

/** One path of the tour: the shortest path to a state, then the events tried there. */
export interface TourPath {
  events: AnyEventObject[];
  /** The state the last `tried` events are tried in. */
  from: AnyMachineSnapshot;
  tried: number;
}

/**
 * A transition tour over the machine's graph: for every state the graph reaches and every event tried
 * there, the shortest path to the state followed by that event (events that leave the state as it
 * was may be chained on one path). Running them all takes every reachable transition.
 */
export function transitionTour(machine: AnyStateMachine, options: TourOptions): TourPath[] {
  const { serializeState } = options;
  type Step = { event: AnyEventObject; state: AnyMachineSnapshot };
  const adjacency = getAdjacencyMap(machine, {
    input: options.input,
    events: options.events,
    serializeState: (snapshot) => serializeState(snapshot as AnyMachineSnapshot),
  }) as Record<string, { state: AnyMachineSnapshot; transitions: Record<string, Step> }>;
  // Shortest paths, breadth first from the initial state (the first entry of the map).
  const [initial] = Object.keys(adjacency);
  const prefixes = new Map<string, AnyEventObject[]>([[initial as string, []]]);
  const queue = [initial as string];
  for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
    const prefix = prefixes.get(key) as AnyEventObject[];
    for (const { event, state } of Object.values(adjacency[key]?.transitions ?? {})) {
      const next = serializeState(state);
      if (prefixes.has(next) || !(next in adjacency)) continue;
      prefixes.set(next, [...prefix, event]);
      queue.push(next);
    }
  }
  const paths: TourPath[] = [];
  for (const [key, { state, transitions }] of Object.entries(adjacency)) {
    const prefix = prefixes.get(key);
    if (prefix === undefined) continue;
    const from = state;
    const loops: AnyEventObject[] = [];
    for (const { event, state: next } of Object.values(transitions)) {
      const stays = serializeState(next) === key;
      if (stays && options.chainable?.(event)) loops.push(event);
      else paths.push({ events: [...prefix, event], from, tried: 1 });
    }
    if (loops.length > 0) paths.push({ events: [...prefix, ...loops], from, tried: loops.length });
  }
  return paths;
}
