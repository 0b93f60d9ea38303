#!/usr/bin/env node
// blastgate's executable: everything lives in the bundle built from src/ (npm run build).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('blastgate: dist/cli.js is missing; run `npm run build` in the blastgate checkout\n');
  process.exit(70);
}
await import(bundle.href);
