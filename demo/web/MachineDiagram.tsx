import { connectionMachine } from 'agent-gateway-client';
import type { StateValue } from 'xstate';
import { type MachineGraphEdge, type MachineGraphNode, toMachineGraph } from '../../src/diagram/index.js';

// The same graph `npm run diagram` writes to docs/, read from the machine definition.
const graph = toMachineGraph(connectionMachine);
const childrenOf = new Map<string, MachineGraphNode[]>();
for (const node of graph.nodes) {
  if (node.parentId === undefined) continue;
  childrenOf.set(node.parentId, [...(childrenOf.get(node.parentId) ?? []), node]);
}

/** Ids of every active state node of a state value (`link`, `link.connected`, …). */
function activeIds(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [`${prefix}${value}`];
  return Object.entries(value).flatMap(([key, inner]) => [
    `${prefix}${key}`,
    ...(inner === undefined ? [] : activeIds(inner as StateValue, `${prefix}${key}.`)),
  ]);
}

const label = (edge: MachineGraphEdge) =>
  `${edge.event}${edge.guard ? ` [${edge.guard}]` : ''} → ${
    edge.targetIds.length ? edge.targetIds.map((id) => id.split('.').at(-1)).join(', ') : '(stays)'
  }`;

/** The connection machine's states, nested as in the definition, with the current state highlighted. */
export function MachineDiagram({ state }: { state: StateValue }) {
  const active = new Set(activeIds(state));
  const next = graph.edges.filter((edge) => active.has(edge.sourceId) && edge.event !== 'always');
  return (
    <section className="diagram">
      <h2>Connection machine</h2>
      <div className="states">
        {(childrenOf.get(graph.machineId) ?? []).map((node) => (
          <StateBox key={node.id} node={node} active={active} />
        ))}
      </div>
      <h3>Possible next transitions</h3>
      <ul className="next" data-testid="next-transitions">
        {next.map((edge, index) => (
          <li key={index}>{label(edge)}</li>
        ))}
      </ul>
    </section>
  );
}

function StateBox({ node, active }: { node: MachineGraphNode; active: Set<string> }) {
  const children = childrenOf.get(node.id) ?? [];
  const isActive = active.has(node.id);
  return (
    <div
      className={`state ${node.type} ${isActive ? 'active' : ''}`}
      data-testid={`state-${node.id}`}
      data-active={isActive}
    >
      <span className="name">{node.key}</span>
      {children.length > 0 && (
        <div className={node.type === 'parallel' ? 'regions' : 'children'}>
          {children.map((child) => (
            <StateBox key={child.id} node={child} active={active} />
          ))}
        </div>
      )}
    </div>
  );
}
