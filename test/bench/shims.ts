// Shim benchmark: a safe invocation of real tools run directly, through the fast-path shim and
// through the full check (`blastgate run`), plus a dangerous one to the verdict, and `node -e 0` for
// reference; medians from one interleaved run, each with its ratio to the direct run.
// Run alone: `node --import tsx test/bench/shims.ts` (after `npm run build`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolvePaths } from '../../src/config/paths.js';
import { loadEngine } from '../../src/engine.js';
import { rehash } from '../../src/shims/rehash.js';
import { selfEntry } from '../../src/shims/self.js';
import { configHomeOf } from '../../src/shims/setup.js';
import { realBinaryCandidates } from '../../src/stages/exec.js';
import { median, table } from './measure.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'blastgate.js');

interface Case {
  name: string;
  cmd: string;
  args: string[];
  cwd?: string;
  /** Run in a new session (setsid: no controlling terminal), so a gated command cannot prompt. */
  detached?: boolean;
  expect: number;
}

/** Interleaved medians; a run that exits with an unexpected code aborts the bench (it measured the wrong thing). */
const measure = (cases: Case[], env: NodeJS.ProcessEnv): Record<string, number> => {
  const times: Record<string, number[]> = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (let i = 0; i <= RUNS; i++) {
    for (const c of cases) {
      const t = performance.now();
      const [cmd, args] = c.detached ? ['/usr/bin/setsid', ['-w', c.cmd, ...c.args]] : [c.cmd, c.args];
      const r = spawnSync(cmd, args, { env, cwd: c.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
      const ms = performance.now() - t;
      if (r.status !== c.expect) throw new Error(`${c.name}: exit ${r.status ?? r.signal}, expected ${c.expect}\n${r.stderr?.toString() ?? ''}`);
      if (i > 0) times[c.name]!.push(ms);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
};

export const main = async () => {
  if (!existsSync(join(root, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const home = mkdtempSync(join(tmpdir(), 'bg-bench-shims-'));
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    BLASTGATE_SYSTEM_DIR: join(home, 'etc'),
    BLASTGATE_APPROVAL_WAIT: '0',
    CHECKPOINT_DISABLE: '1',
    LANG: 'C.UTF-8',
    PATH: process.env.PATH,
  };
  const engine = await loadEngine({ env, cwd: home });
  const shimDir = join(home, 'shims');
  const tools = ['psql', 'terraform', 'git'].filter((t) => engine.index.byBinary[t] && realBinaryCandidates(t, { path: env.PATH }).length > 0);
  rehash({ dir: shimDir, paths: resolvePaths(env), index: engine.index, tools, mode: 'list', self: selfEntry(), configHome: configHomeOf(env) });
  const shimEnv = { ...env, PATH: `${shimDir}:${env.PATH}` };

  const repo = join(home, 'repo');
  mkdirSync(repo);
  spawnSync('git', ['init', '-q', repo]);
  writeFileSync(join(repo, 'README'), 'bench\n');
  const tf = join(home, 'tf');
  mkdirSync(tf);

  const safe: Array<{ label: string; tool: string; args: string[]; cwd?: string }> = [
    { label: 'psql --version', tool: 'psql', args: ['--version'] },
    { label: 'terraform version', tool: 'terraform', args: ['version'] },
    { label: 'git status', tool: 'git', args: ['status'], cwd: repo },
    { label: 'git --version', tool: 'git', args: ['--version'] },
  ].filter((s) => tools.includes(s.tool));

  // `check` is the verdict without running anything: full check − check = what `run` itself adds.
  const cases: Case[] = [
    { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'], expect: 0 },
    { name: 'blastgate check -- git --version', cmd: process.execPath, args: [bin, 'check', '--', 'git', '--version'], expect: 0 },
  ];
  for (const s of safe) {
    const real = realBinaryCandidates(s.tool, { path: env.PATH })[0]!;
    const base = { args: s.args, ...(s.cwd ? { cwd: s.cwd } : {}), expect: 0 };
    cases.push({ name: `${s.label} | direct`, cmd: real, ...base });
    cases.push({ name: `${s.label} | fast path`, cmd: join(shimDir, s.tool), ...base });
    cases.push({ name: `${s.label} | full check`, cmd: process.execPath, ...base, args: [bin, 'run', '--', s.tool, ...s.args] });
  }
  if (tools.includes('terraform')) {
    cases.push({ name: 'terraform destroy | shim → verdict (77)', cmd: join(shimDir, 'terraform'), args: ['destroy'], cwd: tf, detached: true, expect: 77 });
    cases.push({ name: 'terraform destroy | run → verdict (77)', cmd: process.execPath, args: [bin, 'run', '--', 'terraform', 'destroy'], cwd: tf, detached: true, expect: 77 });
  }

  // The shim cases run with the shim dir first on PATH, as after `blastgate init`.
  const t = measure(cases, shimEnv);
  const node = t['node -e 0']!;
  // `gate cost vs node`: what blastgate adds (median − direct), as a multiple of `node -e 0`.
  const rows: Array<Record<string, string | number>> = [{ case: 'node -e 0', 'median ms': node, 'vs direct': '', 'over direct ms': '', 'vs node -e 0': '1.00×', 'gate cost vs node': '' }];
  for (const s of safe) {
    const direct = t[`${s.label} | direct`]!;
    for (const how of ['direct', 'fast path', 'full check']) {
      const ms = t[`${s.label} | ${how}`]!;
      rows.push({
        case: `${s.label} | ${how}`,
        'median ms': ms,
        'vs direct': `${(ms / direct).toFixed(2)}×`,
        'over direct ms': how === 'direct' ? '' : (ms - direct).toFixed(2),
        'vs node -e 0': `${(ms / node).toFixed(2)}×`,
        'gate cost vs node': how === 'full check' ? `${((ms - direct) / node).toFixed(2)}×` : '',
      });
    }
  }
  for (const c of cases.filter((x) => x.name.includes('destroy') || x.name.startsWith('blastgate check'))) {
    rows.push({ case: c.name, 'median ms': t[c.name]!, 'vs direct': '', 'over direct ms': '', 'vs node -e 0': `${(t[c.name]! / node).toFixed(2)}×`, 'gate cost vs node': '' });
  }
  process.stdout.write(`${table(rows)}\n(${RUNS} runs each, interleaved; shims in ${shimDir}; tools: ${tools.join(', ')})\n`);
  process.stdout.write('Targets: fast path ≤ +1.5 ms over direct (issue: ≤ +3 ms); full check ≤ 1.3× node -e 0 (design: 1.2×).\n');
  rmSync(home, { recursive: true, force: true });
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
