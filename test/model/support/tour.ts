import type { AnyEventObject, AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import { type AdjacencyMap, getAdjacencyMap, getShortestPaths } from 'xstate/graph';

/** What the traversal needs: which events to try in a state, and which states count as the same. */
export interface TourOptions {
  input: unknown;
  events: (snapshot: AnyMachineSnapshot) => AnyEventObject[];
  serializeState: (snapshot: AnyMachineSnapshot) => string;
}

/**
 * A transition tour: for every state the graph reaches and every event tried there, the shortest
 * path to the state followed by that event. Running them all takes every reachable transition.
 */
export function transitionTour(machine: AnyStateMachine, options: TourOptions): AnyEventObject[][] {
  const traversal = { input: options.input, events: options.events, serializeState: options.serializeState };
  const shortest = new Map<string, AnyEventObject[]>();
  for (const path of getShortestPaths(machine, traversal)) {
    shortest.set(
      options.serializeState(path.state),
      // The first step of every path is the machine's own start (`xstate.init`), not an event to run.
      path.steps.map((step) => step.event).filter((event) => event.type !== 'xstate.init'),
    );
  }
  const paths: AnyEventObject[][] = [];
  const adjacency: AdjacencyMap<AnyMachineSnapshot, AnyEventObject> = getAdjacencyMap(machine, traversal);
  for (const { state, transitions } of Object.values(adjacency)) {
    const prefix = shortest.get(options.serializeState(state));
    if (prefix === undefined) continue;
    for (const key of Object.keys(transitions) as Array<keyof typeof transitions>) {
      paths.push([...prefix, transitions[key].event]);
    }
  }
  return paths;
}
