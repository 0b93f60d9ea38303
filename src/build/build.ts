// Build: validate and compile rulesets to JSON (no YAML at run time) and bundle the CLI with esbuild.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildIndex, serializeIndex } from '../rulesets/compile.js';
import { loadRulesetFile } from '../rulesets/load.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const rulesetDir = join(root, 'rulesets');
const sets = readdirSync(rulesetDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => loadRulesetFile(join('rulesets', f), 'builtin'));
writeFileSync(join(dist, 'rulesets.json'), serializeIndex(buildIndex(sets)));

await build({
  entryPoints: { cli: join(root, 'src/main.ts') },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // Heavy parsers stay in node_modules and load only when a line needs them.
  external: ['web-tree-sitter', 'tree-sitter-bash', 'libpg-query'],
  define: { BLASTGATE_VERSION: JSON.stringify(pkg.version) },
  banner: { js: "import { createRequire as __bgCreateRequire } from 'node:module'; const require = __bgCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
const rules = sets.reduce((n, s) => n + s.rules.length, 0);
process.stdout.write(`built dist/cli.js; ${sets.length} rulesets, ${rules} rules compiled to dist/rulesets.json\n`);
