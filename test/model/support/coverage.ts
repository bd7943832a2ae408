import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition, InspectionEvent } from 'xstate';

function allNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap((child) => allNodes(child as AnyStateNode))];
}

/**
 * Which states and transitions of a machine's definition the executed paths went through, measured
 * from the model actor's microsteps (so raised and eventless transitions count too).
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

  return {
    /** Feed every inspection event of the model actor here. */
    observe(event: InspectionEvent): void {
      if (event.type !== '@xstate.microstep' && event.type !== '@xstate.snapshot') return;
      // Child actors' snapshots have no state nodes; nodes of other machines are not counted.
      const snapshot = event.snapshot as { _nodes?: AnyStateNode[] };
      for (const node of snapshot._nodes ?? []) if (node.machine === machine) seenNodes.add(node);
      if (event.type === '@xstate.microstep') {
        for (const transition of event._transitions)
          if (transitions.has(transition)) seenTransitions.add(transition);
      }
    },
    /** The printed line: `model coverage: states X/Y, transitions A/B`. */
    line(label: string): string {
      const states = nodes.filter((node) => seenNodes.has(node)).length;
      return `model coverage: states ${states}/${nodes.length}, transitions ${seenTransitions.size}/${transitions.size} (${label})`;
    },
    uncoveredStates: () => nodes.filter((node) => !seenNodes.has(node)).map((node) => node.id),
    uncoveredTransitions: () =>
      [...transitions].filter((t) => !seenTransitions.has(t)).map(describeTransition),
    complete: () => seenNodes.size === nodes.length && seenTransitions.size === transitions.size,
  };
}
