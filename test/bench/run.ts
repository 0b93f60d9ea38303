// `npm run bench`: every benchmark in one run, so ratios compare like with like.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const benches = ['verdict.ts', 'shims.ts', 'sandbox.ts', 'inputs.ts', 'egress.ts'];
for (const file of benches) {
  const path = join(import.meta.dirname, file);
  if (!existsSync(path)) continue;
  process.stdout.write(`\n=== ${file} ===\n`);
  const mod = (await import(path)) as { main: () => Promise<void> };
  await mod.main();
}
