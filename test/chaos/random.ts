import { mulberry32, type Random } from '../support/random.js';

export { mulberry32, type Random };

/** A second, independent stream derived from a seed and a label (one per session, per client, …). */
export function deriveRandom(seed: number, label: string): Random {
  let hash = seed >>> 0;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return mulberry32(hash);
}

/** A uniform integer in [min, max]. */
export const between = (random: Random, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));

/** `true` with probability `p`. */
export const chance = (random: Random, p: number): boolean => random() < p;

/** The run's seed: `CHAOS_SEED` to replay one, otherwise a fresh one. */
export function chaosSeed(env: string | undefined = process.env.CHAOS_SEED): number {
  if (env !== undefined && env.trim() !== '') {
    const seed = Number(env);
    if (!Number.isInteger(seed)) throw new Error(`CHAOS_SEED must be an integer (got ${env})`);
    return seed >>> 0;
  }
  return (Date.now() ^ Math.floor(Math.random() * 4_294_967_296)) >>> 0;
}
