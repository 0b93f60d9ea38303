// Build: validate and compile rulesets to JSON (no YAML at run time) and bundle the CLI with esbuild.
//
// Bundles are CommonJS (Node's ESM loader costs ~20 ms more per start) and split by hand: the hot path
// (check, run) is one small file; every module reached only through a dynamic `import()` becomes its
// own bundle that loads when needed (commander, the YAML loader, the bash and SQL parsers…).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { buildIndex, serializeIndex } from '../rulesets/compile.js';
import { loadRulesetFile } from '../rulesets/load.js';
import { GRAMMAR_DIR } from '../io/grammar-files.js';
import { EXEC_PROGRAMS_JSON, EXEC_PROGRAMS_YAML, parseExecPrograms } from '../unwrap/exec-programs-data.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
// dist/ holds CommonJS whatever the package's "type" says.
writeFileSync(join(dist, 'package.json'), '{ "type": "commonjs" }\n');

const rulesetDir = join(root, 'rulesets');
const sets = readdirSync(rulesetDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => loadRulesetFile(join('rulesets', f), 'builtin'));
const index = buildIndex(sets);
writeFileSync(join(dist, 'rulesets.json'), serializeIndex(index));
// Shims watch this file's mtime for "what the shims were generated from changed": give it the newest
// mtime of the rule sources and of the code that turns rules into shim conditions (the template, the
// prefilter, the SQL keywords it borrows), so a rebuild of the same leaves every shim on its fast path.
const shimInputs = [
  ...readdirSync(rulesetDir).filter((f) => f.endsWith('.yaml')).map((f) => join(rulesetDir, f)),
  ...['shims/template.ts', 'shims/prefilter.ts', 'analyzers/sql.ts'].map((f) => join(src, f)),
];
const newestRule = Math.max(...shimInputs.map((f) => statSync(f).mtimeMs)) / 1000;
utimesSync(join(dist, 'rulesets.json'), newestRule, newestRule);
// Hot path: a slim index by binary, and one file per tool read only when that tool is invoked.
mkdirSync(join(dist, 'rulesets'));
for (const set of index.rulesets) writeFileSync(join(dist, 'rulesets', `${set.tool}.json`), JSON.stringify(set));
const slim = { ...index, rulesets: index.rulesets.map(({ grammar: _g, rules: _r, mcp: _m, ...meta }) => meta) };
writeFileSync(join(dist, 'rulesets-index.json'), JSON.stringify(slim));
// The closed-world list of programs that run other programs (read by unwrap; no YAML at run time).
const execPrograms = parseExecPrograms(readFileSync(join(root, EXEC_PROGRAMS_YAML), 'utf8'), EXEC_PROGRAMS_YAML);
writeFileSync(join(dist, EXEC_PROGRAMS_JSON), JSON.stringify(execPrograms));

/** dist file name for a source module: src/commands/rules.ts → commands-rules.js */
const bundleName = (file: string) => relative(src, file).replace(/\.ts$/, '').replaceAll('/', '-') + '.js';

const pending = new Set<string>();
const built = new Set<string>();

/** Modules that live only in dist/core.js; every other bundle requires them from there. */
const CORE_ENTRY = join(src, 'core.ts');
const CORE_MODULES = new Set([join(src, 'engine.ts'), join(src, 'pipeline.ts')]);

/**
 * Packages that stay in node_modules at run time: they load their own .wasm next to their JS. Everything
 * else is bundled into dist/, so the installed package needs no other dependency (and no install script).
 */
const RUNTIME_PACKAGES = ['libpg-query'];
const isBuiltin = (name: string) => name.startsWith('node:') || builtinModules.includes(name);
const packageName = (path: string) => path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/');
/** A bare package imported dynamically gets a lazy bundle of its own: dist/pkg-<name>.js. */
const PACKAGE_PREFIX = 'package:';
const packageBundleName = (name: string) => `pkg-${name.replace(/^@/, '').replace(/\.js$/, '').replaceAll('/', '-')}.js`;

// Relative dynamic imports become separate bundles, and so do bare packages imported dynamically.
const splitBundles = (entry: string): Plugin => ({
  name: 'split-bundles',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import') {
        if (entry === CORE_ENTRY || !args.path.startsWith('.')) return undefined;
        const file = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
        return CORE_MODULES.has(file) ? { path: './core.js', external: true } : undefined;
      }
      if (!args.path.startsWith('.')) {
        if (isBuiltin(args.path) || RUNTIME_PACKAGES.includes(packageName(args.path))) return { path: args.path, external: true };
        const key = `${PACKAGE_PREFIX}${args.path}`;
        if (!built.has(key)) pending.add(key);
        return { path: `./${packageBundleName(args.path)}`, external: true };
      }
      const file = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      if (!built.has(file)) pending.add(file);
      return { path: `./${bundleName(file)}`, external: true };
    });
  },
});

const bundle = (entry: string, outName: string) =>
  build({
    ...(entry.startsWith(PACKAGE_PREFIX)
      ? { stdin: { contents: `module.exports = require(${JSON.stringify(entry.slice(PACKAGE_PREFIX.length))});`, resolveDir: root, loader: 'js' as const } }
      : { entryPoints: [entry] }),
    outfile: join(dist, outName),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: RUNTIME_PACKAGES,
    define: { BLASTGATE_VERSION: JSON.stringify(pkg.version), 'import.meta.url': '__bgModuleUrl', 'import.meta.dirname': '__dirname' },
    banner: { js: "const __bgModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    // `import()` becomes `require()`: a dynamic import of a CommonJS file would go through the ESM loader.
    supported: { 'dynamic-import': false },
    plugins: [splitBundles(entry)],
    logLevel: 'warning',
  });

built.add(join(src, 'main.ts'));
built.add(CORE_ENTRY);
await bundle(CORE_ENTRY, 'core.js');
await bundle(join(src, 'main.ts'), 'cli.js');
while (pending.size > 0) {
  const [file] = pending;
  pending.delete(file!);
  built.add(file!);
  await bundle(file!, file!.startsWith(PACKAGE_PREFIX) ? packageBundleName(file!.slice(PACKAGE_PREFIX.length)) : bundleName(file!));
}

// The WASM files the bash parser loads, with their licenses: the packages themselves are build-time only.
const requireHere = createRequire(import.meta.url);
mkdirSync(join(dist, GRAMMAR_DIR));
for (const [pkgName, file] of [['web-tree-sitter', 'web-tree-sitter.wasm'], ['tree-sitter-bash', 'tree-sitter-bash.wasm'], ['tree-sitter-python', 'tree-sitter-python.wasm']] as const) {
  const from = dirname(requireHere.resolve(`${pkgName}/${file}`));
  copyFileSync(join(from, file), join(dist, GRAMMAR_DIR, file));
  copyFileSync(join(from, 'LICENSE'), join(dist, GRAMMAR_DIR, `${pkgName}.LICENSE`));
}
// The sandbox client: what covers each guarded binary inside a jail. Its own tiny bundle (node core only),
// and the built-in sandbox profiles as JSON (no YAML at sandbox start).
await build({ entryPoints: [join(src, 'sandbox', 'client.ts')], outfile: join(dist, 'sandbox-client.js'), bundle: true, format: 'cjs', platform: 'node', target: 'node20', minify: true, logLevel: 'warning' });
// The egress gate's two pieces that run inside the jail (node core only): the loopback forwarder and fetch's proxy.
for (const [entry, out] of [['forwarder.ts', 'egress-forwarder.js'], ['fetch-proxy.ts', 'egress-fetch-proxy.js']] as const) {
  await build({ entryPoints: [join(src, 'egress', entry)], outfile: join(dist, out), bundle: true, format: 'cjs', platform: 'node', target: 'node20', minify: true, logLevel: 'warning' });
}
const { parse: parseYaml } = await import('yaml');
const profileDir = join(src, 'sandbox', 'profiles');
const profiles = Object.fromEntries(readdirSync(profileDir).filter((f) => f.endsWith('.yaml')).sort().map((f) => [f.slice(0, -5), parseYaml(readFileSync(join(profileDir, f), 'utf8'))]));
writeFileSync(join(dist, 'sandbox-profiles.json'), JSON.stringify(profiles));
const rules = sets.reduce((n, s) => n + s.rules.length, 0);
process.stdout.write(`built dist/cli.js, dist/core.js + ${built.size - 2} lazy bundles; ${sets.length} rulesets, ${rules} rules compiled to dist/rulesets.json\n`);
