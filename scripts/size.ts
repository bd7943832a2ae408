/** `npm run size`: fails when a bundle exceeds its gzip budget (bench/lib/bundle.ts). */
import { BUDGETS, measureBundles } from '../bench/lib/bundle.js';

let failed = false;
for (const size of await measureBundles()) {
  const budget = BUDGETS[size.name];
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} kB`;
  const verdict =
    budget === undefined
      ? ''
      : size.gzipBytes <= budget
        ? ` ≤ budget ${kb(budget)}`
        : ` > budget ${kb(budget)}`;
  console.log(
    `${size.name.padEnd(10)} ${kb(size.gzipBytes)} gzip, ${kb(size.minifiedBytes)} min${verdict}   (${size.imports})`,
  );
  if (budget !== undefined && size.gzipBytes > budget) failed = true;
  // LobeHub's dialect is only in the apps that import it.
  if (size.name !== 'lobehub' && size.lobehubBytes > 0) {
    console.error(`${size.name} holds ${size.lobehubBytes} bytes of src/lobehub/`);
    failed = true;
  }
}
if (failed) {
  console.error('Bundle size budget exceeded.');
  process.exit(1);
}
