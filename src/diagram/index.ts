export {
  toMachineGraph,
  type MachineGraph,
  type MachineGraphEdge,
  type MachineGraphNode,
  type MachineNodeType,
} from './machineGraph.js';
export { toMermaid, type MermaidOptions } from './toMermaid.js';
export { toTransitionTable } from './toTransitionTable.js';
