/** Bundle size: min+gzip of what an application imports from each entry (core, react, ai-sdk, lobehub). */
import { BUDGETS, measureBundles } from './lib/bundle.js';
import { type BenchResult, main } from './lib/result.js';
import { figure } from './lib/stats.js';

async function run(): Promise<BenchResult> {
  const sizes = await measureBundles();
  return {
    title: 'Bundle size',
    figures: sizes.flatMap((size) => [
      figure(`bundle ${size.name} (gzip)`, 'kB', [size.gzipBytes / 1024], size.imports),
      figure(`bundle ${size.name} (minified)`, 'kB', [size.minifiedBytes / 1024]),
    ]),
    checks: sizes
      .filter((size) => BUDGETS[size.name] !== undefined)
      .map((size) => ({
        name: `${size.name} bundle within budget`,
        pass: size.gzipBytes <= (BUDGETS[size.name] as number),
        detail: `${(size.gzipBytes / 1024).toFixed(2)} kB ≤ ${((BUDGETS[size.name] as number) / 1024).toFixed(2)} kB`,
      }))
      .concat(
        sizes
          .filter((size) => size.name !== 'lobehub')
          .map((size) => ({
            name: `${size.name} bundle holds nothing of LobeHub's dialect`,
            pass: size.lobehubBytes === 0,
            detail: `${size.lobehubBytes} bytes of src/lobehub/`,
          })),
      ),
  };
}

await main(run);
