import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { describeAction, describeDelay, describeGuard } from './describe.js';

/** The kind of a state node, as XState names it. */
export type MachineNodeType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

/** One state node of a machine. */
export interface MachineGraphNode {
  /** Dotted path from the root (`link.connected.heartbeat.idle`); the root's id is the machine id. */
  id: string;
  /** The node's own key (`idle`); the machine id for the root. */
  key: string;
  /** Id of the parent node; absent on the root. */
  parentId?: string;
  type: MachineNodeType;
  /** Id of the child entered first, on compound nodes. */
  initialChildId?: string;
}

/** One transition of a machine. */
export interface MachineGraphEdge {
  /** Id of the node that declares the transition. */
  sourceId: string;
  /** Ids of the target nodes; empty for a targetless (actions-only) transition. */
  targetIds: string[];
  /** The event type, `after <delay>` for a delayed transition, or `always` for an eventless one. */
  event: string;
  /** The guard's name (`isMaxAttemptsReached`, `not canReconnect`); absent when unguarded. */
  guard?: string;
  /** Names of the actions the transition runs, in order. */
  actions: string[];
  /** Whether the transition exits and re-enters its source (`reenter: true`). */
  reenter: boolean;
}

/** The states and transitions of a machine, in document order. */
export interface MachineGraph {
  /** The machine's id (`connection`), which is also the root node's id. */
  machineId: string;
  /** Every state node, root first, depth first in declaration order. */
  nodes: MachineGraphNode[];
  /** Every transition, grouped by source in node order, in XState's priority order within a source. */
  edges: MachineGraphEdge[];
}

function nodeId(machine: AnyStateMachine, node: AnyStateNode): string {
  return node.path.length === 0 ? machine.id : node.path.join('.');
}

function toEdge(
  machine: AnyStateMachine,
  source: AnyStateNode,
  transition: AnyTransitionDefinition,
  event: string,
): MachineGraphEdge {
  const edge: MachineGraphEdge = {
    sourceId: nodeId(machine, source),
    targetIds: (transition.target ?? []).map((target) => nodeId(machine, target)),
    event,
    actions: transition.actions.map(describeAction),
    reenter: transition.reenter,
  };
  if (transition.guard !== undefined) edge.guard = describeGuard(transition.guard);
  return edge;
}

function collectEdges(machine: AnyStateMachine, node: AnyStateNode): MachineGraphEdge[] {
  // Delayed transitions sit in `transitions` under a generated `xstate.after.<delay>.<node id>` event;
  // `after` holds the same objects with the delay as written, so identity recovers its name.
  const delays = new Map<AnyTransitionDefinition, unknown>(node.after.map((t) => [t, t.delay]));
  const edges: MachineGraphEdge[] = [];
  for (const [eventType, transitions] of node.transitions) {
    for (const transition of transitions) {
      const event = delays.has(transition) ? describeDelay(delays.get(transition)) : eventType;
      edges.push(toEdge(machine, node, transition, event));
    }
  }
  for (const transition of node.always ?? []) edges.push(toEdge(machine, node, transition, 'always'));
  return edges;
}

/**
 * The states and transitions of a machine as plain data, read from its definition (no actor is started).
 *
 * @example
 * const graph = toMachineGraph(connectionMachine);
 * graph.edges.filter((edge) => edge.event === 'after heartbeatTimeout');
 */
export function toMachineGraph(machine: AnyStateMachine): MachineGraph {
  const nodes: MachineGraphNode[] = [];
  const edges: MachineGraphEdge[] = [];
  const visit = (node: AnyStateNode): void => {
    const graphNode: MachineGraphNode = { id: nodeId(machine, node), key: node.key, type: node.type };
    if (node.parent) graphNode.parentId = nodeId(machine, node.parent);
    const initial = node.type === 'compound' ? node.initial.target[0] : undefined;
    if (initial) graphNode.initialChildId = nodeId(machine, initial);
    nodes.push(graphNode);
    edges.push(...collectEdges(machine, node));
    for (const child of Object.values<AnyStateNode>(node.states)) visit(child);
  };
  visit(machine.root);
  const topLevelClash = nodes.find((node) => node.parentId !== undefined && node.id === machine.id);
  if (topLevelClash) {
    throw new Error(`toMachineGraph: state '${machine.id}' has the machine's id; rename one of them.`);
  }
  return { machineId: machine.id, nodes, edges };
}
