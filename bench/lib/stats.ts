/** A figure measured several times: its unit, its runs, and whether a larger value is better. */
export interface Figure {
  name: string;
  unit: string;
  runs: number[];
  min: number;
  median: number;
  max: number;
  /** Free-form context (sizes, counts, what the baseline is). */
  note?: string;
}

/** Builds a figure from its runs (min, median, max). */
export function figure(name: string, unit: string, runs: number[], note?: string): Figure {
  const sorted = [...runs].sort((a, b) => a - b);
  const median =
    sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return { name, unit, runs, min: sorted[0]!, median, max: sorted.at(-1)!, ...(note ? { note } : {}) };
}

/** The value at quantile q (0..1) of a sample. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Runs `measure` `runs` times after `warmup` runs whose results are discarded. */
export async function repeat<T>(runs: number, measure: () => T | Promise<T>, warmup = 1): Promise<T[]> {
  for (let i = 0; i < warmup; i++) await measure();
  const values: T[] = [];
  for (let i = 0; i < runs; i++) values.push(await measure());
  return values;
}

/** Rounds for display: 3 significant digits. */
export const round = (value: number) => Number(value.toPrecision(3));
