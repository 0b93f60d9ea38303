#!/usr/bin/env node
// blastgate's executable: everything lives in the CommonJS bundles built from src/ (npm run build).
// CommonJS on purpose (bin/package.json): Node's ESM loader would add ~20 ms to every start.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(bundle)) {
  process.stderr.write('blastgate: dist/cli.js is missing; run `npm run build` in the blastgate checkout\n');
  process.exit(70);
}
require(bundle);
