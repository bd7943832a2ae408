/**
 * Plants the bugs of issue 16's table one at a time in a copy of the working tree and reports which
 * test layer catches each (docs/testing.md, "Planted bugs").
 *
 *   npx tsx test/model/plantBugs.ts                 # unit, model, fuzz
 *   npx tsx test/model/plantBugs.ts unit model fuzz chaos
 *
 * A layer "catches" a bug when its run fails. Fuzz and chaos run with a fixed seed, so a run repeats.
 * The table is printed and written to reports/planted-bugs.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

interface Plant {
  name: string;
  file: string;
  /** Each `find` must occur exactly once in the file; it is replaced by `replace`. */
  edits: Array<{ find: string; replace: string }>;
}

const PLANTS: Plant[] = [
  {
    name: 'attempt limit off by one (`>=` → `>`)',
    file: 'machines/connection.machine.ts',
    edits: [{ find: 'context.attempt >= context.config', replace: 'context.attempt > context.config' }],
  },
  {
    name: 'heartbeat timeout does nothing',
    file: 'machines/connection.machine.ts',
    edits: [
      {
        find: "heartbeatTimeout: { actions: ['closeOnHeartbeatTimeout', 'declareLinkLost'] }",
        replace: 'heartbeatTimeout: { actions: [] }',
      },
    ],
  },
  {
    name: 'heartbeat timeout closes 1000 instead of 4000',
    file: 'machines/connection.machine.ts',
    edits: [
      {
        find: "code: 4000, reason: 'Heartbeat timeout'",
        replace: "code: 1000, reason: 'Heartbeat timeout'",
      },
    ],
  },
  {
    name: 'ledger keeps duplicate ids',
    file: 'src/ledger.ts',
    edits: [{ find: 'if (this.isDelivered(id)) {', replace: 'if (this.isDelivered(id) && id === "") {' }],
  },
  {
    name: 'backoff stops doubling',
    file: 'machines/backoff.ts',
    edits: [{ find: '* 2 ** Math.max(0, attempt - 1)', replace: '* 1' }],
  },
  {
    name: 'in-flight commands dropped on reconnect',
    file: 'machines/connection.machine.ts',
    edits: [
      {
        find: 'outbox: [...context.inFlight.map(({ commandId, frame }) => ({ commandId, frame })), ...context.outbox],',
        replace: 'outbox: context.outbox,',
      },
    ],
  },
  {
    name: 'adapter ignores acks while re-authenticating',
    file: 'src/socket.actor.ts',
    edits: [
      { find: 'let authRequest = 0;', replace: 'let authRequest = 0;\n    let reauthenticating = false;' },
      {
        find: "case 'auth':\n          return void writeAuth();",
        replace:
          "case 'auth':\n          reauthenticating = authRequest > 0;\n          return void writeAuth();",
      },
      { find: "case 'resume':", replace: "case 'resume':\n          reauthenticating = false;" },
      {
        find: "case 'heartbeat_ack':\n          return sendBack({ type: 'server.heartbeatAck' });",
        replace:
          "case 'heartbeat_ack':\n          return reauthenticating ? undefined : sendBack({ type: 'server.heartbeatAck' });",
      },
    ],
  },
  {
    name: 'a text delta prepended instead of appended',
    file: 'machines/session.edits.ts',
    edits: [{ find: 'text: last.text + content', replace: 'text: content + last.text' }],
  },
];

const LAYERS = {
  unit: { dir: 'test/unit', env: {} },
  model: { dir: 'test/model', env: {} },
  fuzz: { dir: 'test/fuzz', env: { FUZZ_SEED: '16' } },
  chaos: { dir: 'test/chaos', env: { CHAOS_SEED: '16' } },
} as const;
type Layer = keyof typeof LAYERS;

const root = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const requested = process.argv.slice(2) as Layer[];
const layers: Layer[] = requested.length > 0 ? requested : ['unit', 'model', 'fuzz'];
for (const layer of layers) if (!(layer in LAYERS)) throw new Error(`Unknown layer ${layer}`);

/** A copy of the working tree (tracked and new files) sharing node_modules. */
function copyTree(): string {
  const copy = mkdtempSync(join(tmpdir(), 'plant-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root })
    .toString()
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(root, file), join(copy, file));
  }
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

function plant(copy: string, { file, edits }: Plant): void {
  let text = readFileSync(join(copy, file), 'utf8');
  for (const { find, replace } of edits) {
    const count = text.split(find).length - 1;
    if (count !== 1) throw new Error(`${file}: expected one "${find}", found ${count} (update the plant)`);
    text = text.replace(find, replace);
  }
  writeFileSync(join(copy, file), text);
}

/** Runs one layer; returns `caught` with the first failure line, or `survived`. */
function run(copy: string, layer: Layer): { caught: boolean; detail: string; seconds: number } {
  const started = performance.now();
  const result = spawnSync('npx', ['vitest', 'run', LAYERS[layer].dir], {
    cwd: copy,
    env: { ...process.env, ...LAYERS[layer].env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Math.round((performance.now() - started) / 1000);
  const output = `${result.stdout}\n${result.stderr}`;
  const lines = output.split('\n');
  const failure = lines.find((line) => line.includes('≠')) ?? lines.find((line) => /Error:/.test(line)) ?? '';
  return { caught: result.status !== 0, detail: failure.trim().slice(0, 300), seconds };
}

const rows: string[] = [];
const details: string[] = [];
for (const bug of PLANTS) {
  const copy = copyTree();
  try {
    plant(copy, bug);
    const cells: string[] = [];
    for (const layer of layers) {
      const { caught, detail, seconds } = run(copy, layer);
      cells.push(caught ? 'caught' : '**survived**');
      if (caught && layer === 'model') details.push(`- ${bug.name}: ${detail}`);
      console.log(`${bug.name} — ${layer}: ${caught ? 'caught' : 'survived'} (${seconds} s)`);
    }
    rows.push(`| ${bug.name} | ${cells.join(' | ')} |`);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const table = [
  `| planted bug | ${layers.join(' | ')} |`,
  `|---|${layers.map(() => '---').join('|')}|`,
  ...rows,
].join('\n');
const report = `${table}\n\nHow the model layer caught each:\n\n${details.join('\n')}\n`;
console.log(`\n${report}`);
mkdirSync(join(root, 'reports'), { recursive: true });
writeFileSync(join(root, 'reports/planted-bugs.md'), report);
