/**
 * `npm run bench`: runs every benchmark in its own Node process (a clean heap each, `--expose-gc`),
 * prints one table, writes bench/results.json and bench/results.md, and refreshes the README's table.
 * Exits 1 when a benchmark's check fails (budgets, zero loss, no leak).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, type } from 'node:os';
import { fileURLToPath } from 'node:url';
import { format as formatWithPrettier, resolveConfig } from 'prettier';
import type { BenchResult } from './lib/result.js';
import { round } from './lib/stats.js';

const BENCHMARKS = [
  'throughput.bench.ts',
  'recovery.bench.ts',
  'memory.bench.ts',
  'gateway.bench.ts',
  'bundle.bench.ts',
  'react.bench.tsx',
];
const only = process.argv.slice(2);
const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();

const results: Array<BenchResult & { file: string; seconds: number }> = [];
for (const file of BENCHMARKS.filter((name) => only.length === 0 || only.some((o) => name.startsWith(o)))) {
  const t0 = Date.now();
  process.stderr.write(`bench ${file} … `);
  const output = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '--conditions=agent-gateway-client:source',
      '--import',
      'tsx',
      fileURLToPath(new URL(file, import.meta.url)),
    ],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const seconds = (Date.now() - t0) / 1000;
  process.stderr.write(`${seconds.toFixed(1)} s\n`);
  const last = output.trim().split('\n').at(-1) ?? '{}';
  results.push({ ...(JSON.parse(last) as BenchResult), file, seconds });
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: round(totalmem() / 2 ** 30),
  os: type(),
  node: process.version,
};
const date = new Date().toISOString();
const format = (value: number) =>
  Number.isFinite(value)
    ? Math.abs(value) >= 1000
      ? Math.round(value).toLocaleString('en-US')
      : String(round(value))
    : '—';

const lines = [
  `Taken ${date.slice(0, 10)} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node} (\`npm run bench\`, ${Math.round((Date.now() - started) / 1000)} s).`,
  '',
  '| benchmark | median | min … max | unit | note |',
  '|---|---:|---:|---|---|',
];
for (const result of results) {
  for (const f of result.figures) {
    const range = f.runs.length > 1 ? `${format(f.min)} … ${format(f.max)}` : '';
    lines.push(`| ${f.name} | ${format(f.median)} | ${range} | ${f.unit} | ${f.note ?? ''} |`);
  }
}
const checks = results.flatMap((result) => result.checks);
lines.push(
  '',
  ...checks.map(
    (check) =>
      `- ${check.pass ? '✅' : '❌'} ${check.name}: ${check.detail}${check.informational ? ' (target)' : ''}`,
  ),
);
const table = lines.join('\n');

writeFileSync(`${root}bench/results.json`, `${JSON.stringify({ machine, date, results }, null, 2)}\n`);
// Formatted as `npm run lint` expects, so a benchmark run leaves the repository lint-clean.
const markdown = async (text: string, filepath: string) =>
  formatWithPrettier(text, { ...(await resolveConfig(filepath)), filepath });
const resultsPath = `${root}bench/results.md`;
writeFileSync(resultsPath, await markdown(`# Benchmark results\n\n${table}\n`, resultsPath));
const readmePath = `${root}README.md`;
const readme = readFileSync(readmePath, 'utf8');
const marker = /(<!-- bench:start -->\n)[\s\S]*?(\n<!-- bench:end -->)/;
if (marker.test(readme))
  writeFileSync(readmePath, await markdown(readme.replace(marker, `$1${table}$2`), readmePath));

console.log(table);
if (checks.some((check) => !check.pass && !check.informational)) process.exit(1);
