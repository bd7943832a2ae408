import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition, InspectionEvent } from 'xstate';

function allNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap((child) => allNodes(child as AnyStateNode))];
}

/**
 * Which states and transitions of a machine's definition the system under test went through: fed
 * from the real client's inspection events (so raised and eventless transitions count too), or from
 * the steps of an actor whose logic is observed (`record`).
 */
export function createCoverage(machine: AnyStateMachine) {
  const nodes = allNodes(machine.root).filter((node) => node !== machine.root);
  const transitions = new Set<AnyTransitionDefinition>(
    allNodes(machine.root).flatMap((node) => [
      ...[...node.transitions.values()].flat(),
      ...(node.always ?? []),
    ]),
  );
  const seenNodes = new Set<AnyStateNode>();
  const seenTransitions = new Set<AnyTransitionDefinition>();
  const describeTransition = (t: AnyTransitionDefinition) =>
    `${t.source.id} ─${t.eventType || 'always'}→ ${(t.target ?? []).map((target) => target.id).join(', ') || '(stays)'}${
      t.guard ? ` [${typeof t.guard === 'string' ? t.guard : 'guarded'}]` : ''
    }`;
  const record = (active: readonly AnyStateNode[], taken: readonly AnyTransitionDefinition[]) => {
    // Child actors' snapshots have no state nodes; nodes of other machines are not counted.
    for (const node of active) if (node.machine === machine) seenNodes.add(node);
    for (const transition of taken) if (transitions.has(transition)) seenTransitions.add(transition);
  };

  return {
    /** Feed every inspection event of the actor under test here (its `inspect` option). */
    observe(event: InspectionEvent): void {
      if (event.type !== '@xstate.microstep' && event.type !== '@xstate.snapshot') return;
      const snapshot = event.snapshot as { _nodes?: AnyStateNode[] };
      record(snapshot._nodes ?? [], event.type === '@xstate.microstep' ? event._transitions : []);
    },
    /** Records one step of the actor under test: the states it is in and the transitions it took. */
    record,
    /** The printed line: `model coverage: states X/Y, transitions A/B`. */
    line(label: string): string {
      const states = nodes.filter((node) => seenNodes.has(node)).length;
      return `model coverage: states ${states}/${nodes.length}, transitions ${seenTransitions.size}/${transitions.size} (${label})`;
    },
    uncoveredStates: () => nodes.filter((node) => !seenNodes.has(node)).map((node) => node.id),
    uncoveredTransitions: () =>
      [...transitions].filter((t) => !seenTransitions.has(t)).map(describeTransition),
  };
}
