import type { MachineGraph, MachineGraphEdge } from './machineGraph.js';

const HEADER = ['from', 'event', 'guard', 'to', 'actions'];
const NONE = '—';

function code(text: string): string {
  return `\`${text.replaceAll('|', '\\|')}\``;
}

function row(edge: MachineGraphEdge): string[] {
  const to = edge.targetIds.length === 0 ? NONE : edge.targetIds.map(code).join(', ');
  return [
    code(edge.sourceId),
    code(edge.event),
    edge.guard === undefined ? NONE : code(edge.guard),
    edge.reenter ? `${to} (reenter)` : to,
    edge.actions.length === 0 ? NONE : edge.actions.map(code).join(', '),
  ];
}

/**
 * A Markdown table of every transition, one row per edge in graph order, including targetless (`to` is
 * `—`) and eventless (`always`) ones. Columns are padded the way Prettier pads them, so a formatted
 * docs file stays byte-identical to the generator's output.
 *
 * @example
 * const table = toTransitionTable(toMachineGraph(connectionMachine));
 */
export function toTransitionTable(graph: MachineGraph): string {
  const rows = [HEADER, ...graph.edges.map(row)];
  const widths = HEADER.map((_, column) => Math.max(3, ...rows.map((cells) => (cells[column] ?? '').length)));
  const render = (cells: string[]): string =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const separator = `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`;
  const [header = HEADER, ...body] = rows;
  return [render(header), separator, ...body.map(render)].join('\n') + '\n';
}
