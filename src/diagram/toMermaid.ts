import type { MachineGraph, MachineGraphEdge, MachineGraphNode } from './machineGraph.js';

/** Options of {@link toMermaid}. */
export interface MermaidOptions {
  /** Diagram title, written as Mermaid front matter. Default: none. */
  title?: string;
}

const INDENT = '  ';
// Mermaid names its own pseudo-states `<composite>_start` / `_end` (`root_start` at the top), and some
// words are keywords: a state must never take one of these ids.
const RESERVED_IDS = ['root_start', 'root_end', 'state', 'note', 'direction', 'class', 'classDef', 'style'];

/** One drawn arrow: every transition between the same two states shares it, one label line each. */
interface Arrow {
  sourceId: string;
  targetId: string;
  labels: string[];
}

interface Layout {
  children: Map<string, MachineGraphNode[]>;
  mermaidIds: Map<string, string>;
  /** Arrows by the node whose block holds them; `undefined` is the top level. */
  arrows: Map<string | undefined, Arrow[]>;
}

function assignMermaidIds(
  graph: MachineGraph,
  children: Map<string, MachineGraphNode[]>,
): Map<string, string> {
  const taken = new Set(RESERVED_IDS);
  const ids = new Map<string, string>();
  for (const node of graph.nodes) {
    const base = (node.parentId === undefined ? node.id : node.id.replaceAll('.', '_')).replace(/\W/g, '_');
    let id = base;
    for (let suffix = 2; taken.has(id); suffix += 1) id = `${base}_${suffix}`;
    taken.add(id);
    ids.set(node.id, id);
    if (children.has(node.id)) taken.add(`${id}_start`).add(`${id}_end`);
  }
  return ids;
}

// Mermaid moves a state into the block of the last statement naming it, unless that is the top level: an
// arrow stays inside a block only when both ends are direct children of it, and never in a parallel block,
// where it would join the last region.
function scopeOf(
  nodesById: Map<string, MachineGraphNode>,
  sourceId: string,
  targetId: string,
): string | undefined {
  const parentId = nodesById.get(sourceId)?.parentId;
  if (parentId === undefined || parentId !== nodesById.get(targetId)?.parentId) return undefined;
  return nodesById.get(parentId)?.type === 'parallel' ? undefined : parentId;
}

function label(edge: MachineGraphEdge): string {
  const text = edge.guard === undefined ? edge.event : `${edge.event} [${edge.guard}]`;
  // A semicolon ends a Mermaid statement and a newline ends the label.
  return text.replace(/[;\r\n]+/g, ' ');
}

function planLayout(graph: MachineGraph): Layout {
  const nodesById = new Map(graph.nodes.map((node) => [node.id, node]));
  const children = new Map<string, MachineGraphNode[]>();
  for (const node of graph.nodes) {
    if (node.parentId === undefined) continue;
    children.set(node.parentId, [...(children.get(node.parentId) ?? []), node]);
  }
  // Separate arrows between the same two states get drawn on top of each other, labels included.
  const byEnds = new Map<string, Arrow>();
  const arrows: Layout['arrows'] = new Map();
  for (const edge of graph.edges) {
    for (const targetId of edge.targetIds) {
      const ends = JSON.stringify([edge.sourceId, targetId]);
      const existing = byEnds.get(ends);
      if (existing) {
        existing.labels.push(label(edge));
        continue;
      }
      const arrow: Arrow = { sourceId: edge.sourceId, targetId, labels: [label(edge)] };
      byEnds.set(ends, arrow);
      const scope = scopeOf(nodesById, edge.sourceId, targetId);
      arrows.set(scope, [...(arrows.get(scope) ?? []), arrow]);
    }
  }
  return { children, mermaidIds: assignMermaidIds(graph, children), arrows };
}

function renderEdges(plan: Layout, scope: string | undefined, indent: string): string[] {
  const id = (nodeId: string): string => plan.mermaidIds.get(nodeId) ?? nodeId;
  return (plan.arrows.get(scope) ?? []).map(
    (arrow) => `${indent}${id(arrow.sourceId)} --> ${id(arrow.targetId)} : ${arrow.labels.join('<br/>')}`,
  );
}

function renderNode(plan: Layout, node: MachineGraphNode, indent: string): string[] {
  const id = plan.mermaidIds.get(node.id) ?? node.id;
  const declaration = id === node.key ? `${indent}state ${id}` : `${indent}state "${node.key}" as ${id}`;
  const children = plan.children.get(node.id) ?? [];
  if (children.length === 0) return [declaration];
  const lines = id === node.key ? [] : [declaration];
  lines.push(`${indent}state ${id} {`);
  const inner = indent + INDENT;
  const initial = node.initialChildId === undefined ? undefined : plan.mermaidIds.get(node.initialChildId);
  if (initial !== undefined) lines.push(`${inner}[*] --> ${initial}`);
  children.forEach((child, index) => {
    if (node.type === 'parallel' && index > 0) lines.push(`${inner}--`);
    lines.push(...renderNode(plan, child, inner));
    if (child.type === 'final') lines.push(`${inner}${plan.mermaidIds.get(child.id) ?? child.id} --> [*]`);
  });
  lines.push(...renderEdges(plan, node.id, inner), `${indent}}`);
  return lines;
}

/**
 * A Mermaid `stateDiagram-v2` of a machine graph: nested composite states, `[*]` initial markers,
 * parallel regions separated by `--`, arrows labelled `event [guard]` (one line per transition when several
 * join the same two states). Targetless transitions have no arrow (see {@link toTransitionTable}). The text
 * depends only on the graph, so it can be compared.
 *
 * @example
 * writeFileSync('machine.mmd', toMermaid(toMachineGraph(machine), { title: 'connection' }));
 */
export function toMermaid(graph: MachineGraph, options: MermaidOptions = {}): string {
  const plan = planLayout(graph);
  const root = graph.nodes.find((node) => node.parentId === undefined);
  const lines = options.title === undefined ? [] : ['---', `title: ${JSON.stringify(options.title)}`, '---'];
  lines.push('stateDiagram-v2');
  if (root !== undefined) {
    lines.push(`${INDENT}[*] --> ${plan.mermaidIds.get(root.id) ?? root.id}`);
    lines.push(...renderNode(plan, root, INDENT));
  }
  lines.push(...renderEdges(plan, undefined, INDENT));
  return `${lines.join('\n')}\n`;
}
