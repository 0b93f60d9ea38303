// Engine benchmark: in-process verdict time over the corpus, `blastgate check` vs `node -e 0`,
// and the load cost of each heavy parser (each in a fresh process).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { resolvePaths } from '../../src/config/paths.js';
import { loadPolicy } from '../../src/config/policy.js';
import { guard } from '../../src/pipeline.js';
import { loadRuleIndex } from '../../src/rulesets/registry.js';
import { median, percentile, table, timeInterleaved } from './measure.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'blastgate.js');

const corpusLines = (): string[] => {
  const dir = join(root, 'test', 'corpus');
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { line: string }).line));
  } catch {
    return ['terraform destroy', 'git status', 'rm -rf node_modules', "psql -c 'SELECT 1'"];
  }
};

export const main = async () => {
  const home = mkdtempSync(join(tmpdir(), 'bg-bench-'));
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'c'), XDG_STATE_HOME: join(home, 's'), XDG_DATA_HOME: join(home, 'd'), PATH: process.env.PATH };
  const paths = resolvePaths(env);
  const index = await loadRuleIndex({ paths, cwd: home });
  const policy = await loadPolicy({ paths, cwd: home, actor: 'agent' });
  const ctx = { env: {}, cwd: home, actor: { actor: 'agent' as const, reason: 'bench' }, index, policy, resolve: false };

  // In-process: argv verdicts (the shim path) and whole lines (hook path; lines needing bash's grammar
  // pay the tree-sitter parser, measured separately below).
  const lines = corpusLines();
  const argvCases = lines.filter((l) => /^[\w./@=-]+( [\w./@=:,+~-]+)*$/.test(l)).map((l) => l.split(' '));
  for (const a of argvCases) await guard({ kind: 'argv', argv: a }, ctx); // warm-up
  const argvTimes: number[] = [];
  for (let r = 0; r < 5; r++) for (const a of argvCases) {
    const t = performance.now();
    await guard({ kind: 'argv', argv: a }, ctx);
    argvTimes.push(performance.now() - t);
  }
  for (const l of lines) await guard({ kind: 'line', text: l }, ctx);
  const lineTimes: number[] = [];
  for (let r = 0; r < 3; r++) for (const l of lines) {
    const t = performance.now();
    await guard({ kind: 'line', text: l }, ctx);
    lineTimes.push(performance.now() - t);
  }
  process.stdout.write(`\nIn-process verdicts (resolvers off)\n${table([
    { input: `argv (${argvCases.length} corpus commands)`, median_ms: median(argvTimes), p99_ms: percentile(argvTimes, 99) },
    { input: `shell line (${lines.length} corpus lines)`, median_ms: median(lineTimes), p99_ms: percentile(lineTimes, 99) },
  ])}\n`);

  const runs = Number(process.env.BENCH_RUNS ?? 30);
  const procEnv = { ...process.env, ...env };
  const t = timeInterleaved([
    { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'], env: procEnv },
    { name: 'check safe argv', cmd: process.execPath, args: [bin, 'check', '--', 'terraform', 'plan'], env: procEnv },
    { name: 'check dangerous argv', cmd: process.execPath, args: [bin, 'check', '--', 'terraform', '-chdir=infra', 'destroy', '-auto-approve'], env: procEnv },
    { name: 'check --shell simple', cmd: process.execPath, args: [bin, 'check', '--shell', 'git push --force origin main'], env: procEnv },
  ], runs);
  const base = t['node -e 0']!;
  process.stdout.write(`\nProcess wall time (median of ${runs}, interleaved; target ≤ 1.2× node -e 0)\n${table(
    Object.entries(t).map(([name, ms]) => ({ command: name, median_ms: ms, ratio: ms / base })),
  )}\n`);

  // Heavy parsers: import + first use, one fresh process each.
  const probe = (code: string) => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : `failed: ${r.stderr.split('\n')[0]}`;
  };
  const loads = [
    { parser: 'tree-sitter-bash (web-tree-sitter)', code: `const t=performance.now();const {parseLine}=await import('./dist/cli.js').catch(()=>({}));const m=await import('web-tree-sitter');await m.Parser.init();const {createRequire}=await import('node:module');const L=await m.Language.load(createRequire(import.meta.url).resolve('tree-sitter-bash/tree-sitter-bash.wasm'));const p=new m.Parser();p.setLanguage(L);const a=performance.now();p.parse('x=$(terraform destroy)');const b=performance.now();p.parse('cat <<EOF | psql\\nDROP TABLE x;\\nEOF');console.log((a-t).toFixed(1)+' ms load, '+(b-a).toFixed(1)+' ms first parse, '+(performance.now()-b).toFixed(2)+' ms next')` },
    { parser: 'libpg-query', code: `const t=performance.now();const m=await import('libpg-query');const a=performance.now();await m.parse('DROP TABLE orders');const b=performance.now();await m.parse('TRUNCATE x');console.log((a-t).toFixed(1)+' ms import, '+(b-a).toFixed(1)+' ms first parse, '+(performance.now()-b).toFixed(2)+' ms next')` },
    { parser: 'graphql/language/parser', code: `const t=performance.now();const m=await import('graphql/language/parser.js');const a=performance.now();m.parse('mutation { volumeDelete(volumeId: "x") }');const b=performance.now();m.parse('query { me { id } }');console.log((a-t).toFixed(1)+' ms import, '+(b-a).toFixed(1)+' ms first parse, '+(performance.now()-b).toFixed(2)+' ms next')` },
  ];
  process.stdout.write(`\nHeavy parsers (fresh process each; loaded only when a line needs them)\n${table(loads.map((l) => ({ parser: l.parser, cost: probe(l.code.replace("const {parseLine}=await import('./dist/cli.js').catch(()=>({}));", '')) })))}\n`);
};

if (import.meta.url === `file://${process.argv[1]}`) await main();
