import { readFileSync } from 'node:fs';
import { connectionMachine } from 'agent-gateway-client';
import { describe, expect, it } from 'vitest';
import { and, assign, type AnyStateMachine, type AnyStateNode, not, or, setup, stateIn } from 'xstate';
import { toMachineGraph, toMermaid, toTransitionTable } from '../../../src/diagram/index.js';
import { DIAGRAMS, renderDiagramFiles } from '../../../scripts/diagram.js';

const graph = toMachineGraph(connectionMachine);
const mermaid = toMermaid(graph);
const table = toTransitionTable(graph);

function idOf(node: AnyStateNode): string {
  return node.path.length === 0 ? node.machine.id : node.path.join('.');
}

function allNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values<AnyStateNode>(node.states).flatMap(allNodes)];
}

function countOf(config: unknown): number {
  return config === undefined ? 0 : Array.isArray(config) ? config.length : 1;
}

/** `source | event` of every transition, counted from the raw config the author wrote, not from XState's tables. */
function writtenTransitions(machine: AnyStateMachine): string[] {
  return allNodes(machine.root).flatMap((node) => {
    const { on = {}, after = {}, always, invoke } = node.config;
    const invocations = (invoke === undefined ? [] : Array.isArray(invoke) ? invoke : [invoke]) as Array<{
      id: string;
      onDone?: unknown;
      onError?: unknown;
    }>;
    const keys = [
      ...invocations.flatMap(({ id, onDone, onError }) => [
        ...Array<string>(countOf(onDone)).fill(`xstate.done.actor.${id}`),
        ...Array<string>(countOf(onError)).fill(`xstate.error.actor.${id}`),
      ]),
      ...Object.entries(on).flatMap(([event, config]) => Array<string>(countOf(config)).fill(event)),
      ...Object.entries(after).flatMap(([delay, config]) =>
        Array<string>(countOf(config)).fill(`after ${delay}`),
      ),
      ...Array<string>(countOf(always)).fill('always'),
    ];
    return keys.map((event) => `${idOf(node)} | ${event}`);
  });
}

/** The rows of a Markdown table as trimmed cells without backticks, header and separator left out. */
function tableRows(markdown: string): string[][] {
  const lines = markdown.trim().split('\n').slice(2);
  return lines.map((line) =>
    line
      .slice(2, -2)
      .split(' | ')
      .map((cell) => cell.trim().replaceAll('`', '')),
  );
}

describe('the connection machine graph', () => {
  it('has every state node, with its path, parent, type and initial child', () => {
    const nodes = allNodes(connectionMachine.root);
    expect(graph.nodes.map((node) => node.id)).toEqual(nodes.map(idOf));
    expect(graph.nodes.find((node) => node.id === 'link.connected')).toEqual({
      id: 'link.connected',
      key: 'connected',
      parentId: 'link',
      type: 'parallel',
    });
    expect(graph.nodes.find((node) => node.id === 'link.connected.heartbeat')).toMatchObject({
      type: 'compound',
      initialChildId: 'link.connected.heartbeat.choosing',
    });
    expect(graph.nodes[0]).toEqual({
      id: 'connection',
      key: 'connection',
      type: 'compound',
      initialChildId: 'disconnected',
    });
  });

  it('draws every state node in the Mermaid text', () => {
    const declarations = [...mermaid.matchAll(/^\s*state (?:"([^"]+)" as )?(\w+)/gm)];
    const labels = new Set(declarations.map(([, label, id]) => label ?? id));
    for (const node of graph.nodes) expect(labels, node.id).toContain(node.key);
    expect(new Set(declarations.map(([, , id]) => id)).size).toBe(graph.nodes.length);
  });

  it('has every transition the machine defines, including delayed, eventless and targetless ones', () => {
    const expected = writtenTransitions(connectionMachine);
    const edges = graph.edges.map((edge) => `${edge.sourceId} | ${edge.event}`);
    expect(edges.toSorted()).toEqual(expected.toSorted());
    expect(graph.edges).toHaveLength(100);
    expect(graph.edges.filter((edge) => edge.targetIds.length === 0)).toHaveLength(30);
    expect(graph.edges.filter((edge) => edge.event === 'always')).toHaveLength(14);
  });

  it('keeps targets, actions, reenter and priority order as XState resolved them', () => {
    const resolved = allNodes(connectionMachine.root).flatMap((node) =>
      [...[...node.transitions.values()].flat(), ...(node.always ?? [])].map((transition) => ({
        sourceId: idOf(node),
        targetIds: (transition.target ?? []).map(idOf),
        reenter: transition.reenter,
      })),
    );
    expect(graph.edges.map(({ sourceId, targetIds, reenter }) => ({ sourceId, targetIds, reenter }))).toEqual(
      resolved,
    );
    const retry = graph.edges.filter((edge) => edge.sourceId === 'retryDecision');
    expect(
      retry.map(({ event, guard, targetIds, actions }) => [event, guard, ...targetIds, actions]),
    ).toEqual([
      ['always', 'not canReconnect', 'disconnected.linkLost', ['dropQueuedCommands', 'emitDisconnected']],
      [
        'always',
        'isMaxAttemptsReached',
        'disconnected.gaveUp',
        ['dropQueuedCommands', 'emitDisconnected', 'emitGaveUp'],
      ],
      ['always', undefined, 'reconnecting', ['scheduleRetry', 'emitReconnecting']],
    ]);
    expect(graph.edges).toContainEqual({
      sourceId: 'link.connected.heartbeat.awaitingAck',
      targetIds: ['link.connected.heartbeat.awaitingAck'],
      event: 'server.heartbeatAck',
      guard: 'hasOtherUnackedHeartbeats',
      actions: ['countAck'],
      reenter: true,
    });
  });

  it('names delays as the machine does, never by XState’s internal event', () => {
    const events = graph.edges.map((edge) => edge.event);
    const delays = ['heartbeatTimeout', 'heartbeatInterval', 'backoff', 'connectTimeout', 'minUptime'];
    for (const delay of delays) {
      expect(events).toContain(`after ${delay}`);
      expect(table).toContain(`\`after ${delay}\``);
    }
    expect(mermaid).toContain('after heartbeatInterval');
    expect(mermaid).toContain('after backoff');
    expect([mermaid, table, ...events].join('\n')).not.toContain('xstate.after');
  });

  it('names guards, including negated ones', () => {
    const guards = graph.edges.flatMap((edge) => (edge.guard === undefined ? [] : [edge.guard]));
    for (const guard of ['isMaxAttemptsReached', 'not canReconnect', 'isTerminalClose', 'isTerminalStatus']) {
      expect(guards).toContain(guard);
    }
    expect(mermaid).toContain('retryDecision --> disconnected_linkLost : always [not canReconnect]');
    expect(mermaid).toContain('always [isMaxAttemptsReached]');
    expect(table).toContain('`not canReconnect`');
  });

  it('lists every transition in the table, one row each, targetless ones included', () => {
    const rows = tableRows(table);
    expect(rows.map(([from, event]) => `${from} | ${event}`).toSorted()).toEqual(
      writtenTransitions(connectionMachine).toSorted(),
    );
    expect(rows).toContainEqual([
      'link.connected.heartbeat.awaitingAck',
      'after heartbeatTimeout',
      '—',
      '—',
      'closeOnHeartbeatTimeout, declareLinkLost',
    ]);
    expect(rows).toContainEqual(['disconnected', 'user.disconnect', '—', '—', '—']);
    // Targetless transitions have no arrow in the diagram: the table is where they show.
    expect(mermaid).not.toContain('socket.error');
    expect(mermaid).not.toContain('after connectTimeout');
  });
});

const TINY_MERMAID = `---
title: "tiny"
---
stateDiagram-v2
  [*] --> tiny
  state tiny {
    [*] --> idle
    state idle
    state busy {
      state "motor" as busy_motor
      state busy_motor {
        [*] --> busy_motor_off
        state "off" as busy_motor_off
        state "on" as busy_motor_on
        busy_motor_off --> busy_motor_on : toggle
        busy_motor_on --> busy_motor_off : toggle
      }
      --
      state "timer" as busy_timer
      state busy_timer {
        [*] --> busy_timer_ticking
        state "ticking" as busy_timer_ticking
        state "rang" as busy_timer_rang
        busy_timer_ticking --> busy_timer_rang : after 500ms
      }
    }
    state done
    done --> [*]
    idle --> busy : go [isReady]
    idle --> done : finish<br/>always [not isLate]
    busy --> done : after wait
  }
  tiny --> busy_timer_rang : ring
`;

const TINY_TABLE = `| from                 | event         | guard        | to                | actions |
| -------------------- | ------------- | ------------ | ----------------- | ------- |
| \`tiny\`               | \`ring\`        | —            | \`busy.timer.rang\` | —       |
| \`idle\`               | \`go\`          | \`isReady\`    | \`busy\`            | —       |
| \`idle\`               | \`ping\`        | —            | —                 | \`log\`   |
| \`idle\`               | \`finish\`      | —            | \`done\`            | —       |
| \`idle\`               | \`always\`      | \`not isLate\` | \`done\`            | —       |
| \`busy\`               | \`after wait\`  | —            | \`done\`            | —       |
| \`busy.motor.off\`     | \`toggle\`      | —            | \`busy.motor.on\`   | —       |
| \`busy.motor.on\`      | \`toggle\`      | —            | \`busy.motor.off\`  | —       |
| \`busy.timer.ticking\` | \`after 500ms\` | —            | \`busy.timer.rang\` | —       |
`;

function createTinyMachine(withPause = false) {
  return setup({
    guards: { isReady: () => true, isLate: () => false },
    actions: { log: () => undefined },
    delays: { wait: 100 },
  }).createMachine({
    id: 'tiny',
    initial: 'idle',
    on: { ring: '.busy.timer.rang' },
    states: {
      idle: {
        on: { go: { target: 'busy', guard: 'isReady' }, ping: { actions: 'log' }, finish: 'done' },
        always: { guard: not('isLate'), target: 'done' },
      },
      busy: {
        type: 'parallel',
        after: { wait: 'done' },
        states: {
          motor: {
            initial: 'off',
            states: { off: { on: { toggle: 'on' } }, on: { on: { toggle: 'off' } } },
          },
          timer: { initial: 'ticking', states: { ticking: { after: { 500: 'rang' } }, rang: {} } },
        },
      },
      ...(withPause ? { paused: {} } : {}),
      done: { type: 'final' },
    },
  });
}

describe('a tiny machine', () => {
  it('gives exactly the expected Mermaid text', () => {
    expect(toMermaid(toMachineGraph(createTinyMachine()), { title: 'tiny' })).toBe(TINY_MERMAID);
  });

  it('gives exactly the expected transition table', () => {
    expect(toTransitionTable(toMachineGraph(createTinyMachine()))).toBe(TINY_TABLE);
  });

  it('changes the diagram when a state is added', () => {
    const before = toMermaid(toMachineGraph(createTinyMachine()));
    const after = toMermaid(toMachineGraph(createTinyMachine(true)));
    expect(after).not.toBe(before);
    expect(after).toContain('    state paused\n');
    expect(toMermaid(toMachineGraph(createTinyMachine()))).toBe(before);
  });

  it('describes combined, inline and built-in guards and actions', () => {
    const machine = setup({ guards: { a: () => true, b: () => true, c: () => true } }).createMachine({
      id: 'guards',
      initial: 'one',
      states: {
        one: {
          on: {
            both: { guard: and(['a', or(['b', not('c')])]), target: 'two' },
            either: { guard: or([not(and(['a', 'b'])), stateIn('two')]), target: 'two' },
            inline: { guard: () => true, actions: [assign({}), function namedAction() {}, () => undefined] },
          },
        },
        two: {},
      },
    });
    const edges = toMachineGraph(machine).edges;
    expect(edges.map((edge) => edge.guard)).toEqual([
      'a and (b or not c)',
      'not (a and b) or in two',
      'inline',
    ]);
    expect(edges[2]?.actions).toEqual(['xstate.assign', 'namedAction', 'inline']);
  });
});

describe('the committed docs', () => {
  it('equal what `npm run diagram` generates now (run it after changing a machine)', () => {
    for (const file of DIAGRAMS.flatMap(renderDiagramFiles)) {
      const committed = readFileSync(new URL(`../../../${file.path}`, import.meta.url), 'utf8');
      expect(committed, `${file.path} is stale: run npm run diagram`).toBe(file.content);
    }
  });

  it('start with the generated notice and hold the Mermaid diagram and the table', () => {
    const [markdown] = renderDiagramFiles(DIAGRAMS[0]!);
    expect(markdown?.content).toMatch(
      /^<!-- Generated by npm run diagram from machines\/connection\.machine\.ts\. Do not edit\. -->\n/,
    );
    expect(markdown?.content).toContain(`\`\`\`mermaid\n${toMermaid(graph, { title: 'connection' })}\`\`\``);
    expect(markdown?.content).toContain(table);
  });
});
