import type { Figure } from './stats.js';

/** A pass/fail check a benchmark makes (budgets, zero loss). */
export interface Check {
  name: string;
  pass: boolean;
  detail: string;
  /** Reported, but does not fail `npm run bench` (a target, not a guarantee). */
  informational?: boolean;
}

/** What one benchmark file reports. */
export interface BenchResult {
  title: string;
  figures: Figure[];
  checks: Check[];
}

/** Runs a benchmark and prints its result as one JSON line (the runner reads stdout's last line). */
export async function main(run: () => Promise<BenchResult>): Promise<void> {
  const result = await run();
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
  process.exit(0);
}
