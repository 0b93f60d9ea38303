// The full check decides in node and the shim execs the tool itself (src/shims/template.ts): so bytes node
// cannot represent reach the tool untouched, a signal to the process group arrives once, killing the
// process the caller started kills the tool, and a broken install never reports success for nothing run.
// Every case takes the full check for sure: the shims were generated for another XDG_CONFIG_HOME.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { processGone } from '../helpers/process.js';
import { bash, fullChecks, makeWorld, resetLogs, SYSTEM_PATH, type ShimWorld } from './shim-sandbox.js';

const T = 120_000;
const ROOT = join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const onPath = (tool: string) => SYSTEM_PATH.split(':').some((d) => existsSync(join(d, tool)));

const untilTrue = async (what: string, test: () => boolean, ms = 20_000) => {
  for (let waited = 0; waited < ms; waited += 50) {
    if (test()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
};

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => r({ code, signal }));
  });

/** pids of live (non-zombie) processes whose command line contains `needle`. */
const processesWith = (needle: string): number[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(needle) && !processGone(Number(pid));
      } catch {
        return false;
      }
    })
    .map(Number);

interface Setup {
  w: ShimWorld;
  shims: string;
  /** The caller's environment: shims first, fake tools next; the full check is certain (see top). */
  env: NodeJS.ProcessEnv;
}

const setup = async (tools: string[], fakes: string[] = []): Promise<Setup> => {
  const w = makeWorld();
  w.fake(...fakes);
  await w.shims(tools, { full: 'real' });
  const shims = join(w.root, 'shims');
  const env = { ...w.env, PATH: w.pathWith(shims, w.fakebin), XDG_CONFIG_HOME: join(w.root, 'other-config'), BLASTGATE_APPROVAL_WAIT: '0' };
  return { w, shims, env };
};

describe('bytes node cannot represent reach the tool through the full check', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup(['rm', 'kubectl'], ['kubectl']);
  }, T);
  afterAll(() => rmSync(s.w.root, { recursive: true, force: true }));

  it('`rm -rf $\'\\xff\'` removes that directory, not the one named U+FFFD', () => {
    const dir = join(s.w.root, 'utf8');
    mkdirSync(dir);
    // (A dir holding only one-character names would make the gate read the unreadable name as "every entry".)
    const r = bash(`mkdir $'\\xff' $'\\xef\\xbf\\xbd' notes && echo keep > $'\\xef\\xbf\\xbd/important.txt' && rm -rf $'\\xff'`, { env: s.env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir, { encoding: 'buffer' }).map((b) => b.toString('hex')).sort()).toEqual(['6e6f746573', 'efbfbd']);
    expect(readFileSync(join(dir, '\uFFFD', 'important.txt'), 'utf8')).toBe('keep\n');
  }, T);

  it('an environment value with invalid UTF-8 arrives byte for byte', () => {
    resetLogs(s.w);
    const r = bash(`E9=$'\\xff\\xfe' kubectl get pods $'\\xc3\\x28'`, { env: s.env });
    expect(r.code, r.stderr).toBe(0);
    const env = readFileSync(`${s.w.toolLog}.env`);
    expect(env.includes(Buffer.from([0, 0x45, 0x39, 0x3d, 0xff, 0xfe, 0]))).toBe(true);
    expect(readFileSync(`${s.w.toolLog}.argv`).equals(Buffer.from([...Buffer.from('get\0pods\0'), 0xc3, 0x28, 0]))).toBe(true);
  }, T);

  it('the tool is the process the caller started, and keeps the fds the caller opened', async () => {
    resetLogs(s.w);
    const child = spawn('/bin/bash', ['-c', 'exec 7</dev/null; exec kubectl get pods'], { env: { ...s.env, FAKE_TOOL_SLEEP: '30', FAKE_TOOL_NO_STDIN: '1' }, stdio: 'ignore' });
    try {
      await untilTrue('the tool to start', () => existsSync(`${s.w.toolLog}.ready`));
      expect(Number(readFileSync(`${s.w.toolLog}.ready`, 'utf8'))).toBe(child.pid);
      expect(existsSync(`/proc/${child.pid}/fd/7`)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
  }, T);

  it('a guarded tool that is not installed: the shell\'s answer, from the shim, node never asked', () => {
    const r = bash('kubectl delete namespace production', { env: { ...s.env, PATH: s.shims } });
    expect(r.code).toBe(127);
    expect(r.stderr).toBe('kubectl: command not found\n');
  }, T);

  it('a piped stdin the check read reaches the tool byte for byte, and its temp copy is gone', () => {
    resetLogs(s.w);
    const tmp = join(s.w.root, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const input = Buffer.concat([Buffer.from('apiVersion: v1\n'), Buffer.from([0xff, 0x00, 0xfe]), Buffer.alloc(100_000, 'x')]);
    const r = bash('kubectl apply -f -', { env: { ...s.env, TMPDIR: tmp }, input });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(`${s.w.toolLog}.stdin`).equals(input)).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
  }, T);
});

describe('the environment as the caller left it, through the full check', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup(['kubectl'], ['kubectl']);
  }, T);
  afterAll(() => rmSync(s.w.root, { recursive: true, force: true }));

  const toolEnv = () =>
    Object.fromEntries(readFileSync(`${s.w.toolLog}.env`, 'utf8').split('\0').slice(0, -1).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

  it("variables named like the shim's own keep their values", () => {
    resetLogs(s.w);
    const r = bash('kubectl get pods', { env: { ...s.env, __bgs_a0: 'keep', __bgs_real: '/bin/false', __bgs_t: 'allow 1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(toolEnv()).toMatchObject({ __bgs_a0: 'keep', __bgs_real: '/bin/false', __bgs_t: 'allow 1' });
  }, T);

  it("NODE_OPTIONS reaches the tool as set; a caller's BLASTGATE_SAVED_NODE_OPTIONS never becomes NODE_OPTIONS", () => {
    resetLogs(s.w);
    expect(bash('kubectl get pods', { env: { ...s.env, NODE_OPTIONS: '--max-old-space-size=64' } }).code).toBe(0);
    expect(toolEnv().NODE_OPTIONS).toBe('--max-old-space-size=64');
    expect(toolEnv()).not.toHaveProperty('BLASTGATE_SAVED_NODE_OPTIONS');
    resetLogs(s.w);
    expect(bash('kubectl get pods', { env: { ...s.env, BLASTGATE_SAVED_NODE_OPTIONS: '--require /nowhere.js' } }).code).toBe(0);
    expect(toolEnv()).not.toHaveProperty('NODE_OPTIONS');
    expect(toolEnv().BLASTGATE_SAVED_NODE_OPTIONS).toBe('--require /nowhere.js');
  }, T);

  it('with `ulimit -n 16`: one line and 77 when node cannot start, the tool under its own limit when it can', () => {
    resetLogs(s.w);
    const hard = bash('ulimit -n 16; kubectl get pods', { env: s.env });
    expect(hard.code).toBe(77);
    expect(hard.stderr).toBe('blastgate: kubectl not run: blastgate needs at least 30 open files, and the limit is 16 (ulimit -n)\n');
    expect(existsSync(`${s.w.toolLog}.argv`)).toBe(false);
    const soft = bash('ulimit -S -n 16; exec kubectl get pods', { env: s.env });
    expect(soft.code, soft.stderr).toBe(0);
    expect(soft.stderr).toBe('');
  }, T);
});

describe('a deleted working directory (`mkdir x; cd x; rmdir ../x`)', () => {
  it('the tool runs on the fast path, through the full check, and `check` keeps its exit codes', async () => {
    const s = await setup([], ['kubectl']);
    try {
      const fast = join(s.w.root, 'shims-fast');
      await s.w.shims(['kubectl'], { dir: fast, full: 'fake' });
      const gone = 'mkdir gone && cd gone && rmdir ../gone && ';
      resetLogs(s.w);
      const r = bash(`${gone}kubectl get pods`, { env: { ...s.w.env, PATH: s.w.pathWith(fast, s.w.fakebin) }, cwd: s.w.root });
      expect(r.code, r.stderr).toBe(0);
      expect(fullChecks(s.w)).toEqual([]);
      expect(readFileSync(`${s.w.toolLog}.argv`, 'utf8')).toBe('get\0pods\0');
      await s.w.shims(['kubectl'], { full: 'real' });
      resetLogs(s.w);
      const full = bash(`${gone}kubectl get pods`, { env: s.env, cwd: s.w.root });
      expect(full.code, full.stderr).toBe(0);
      expect(full.stderr).not.toContain('internal error');
      expect(readFileSync(`${s.w.toolLog}.argv`, 'utf8')).toBe('get\0pods\0');
      const check = (args: string) => bash(`${gone}exec "$@" ${args}`, { env: s.w.env, cwd: s.w.root, args: [process.execPath, join(ROOT, 'bin', 'blastgate.js'), 'check', '--'] });
      expect(check('kubectl get pods').code).toBe(0);
      expect(check('kubectl delete namespace production').code).toBe(10);
    } finally {
      rmSync(s.w.root, { recursive: true, force: true });
    }
  }, T);
});

describe('killing the process the caller started', () => {
  it('SIGKILL of a shim waiting for an approval leaves no blastgate process behind', async () => {
    const s = await setup(['kubectl'], ['kubectl']);
    try {
      const { writeKeyFile } = await import('../../src/approvals/key-store.js');
      const { createKeyFile } = await import('../../src/approvals/keys.js');
      const { resolvePaths } = await import('../../src/config/paths.js');
      writeKeyFile(join(resolvePaths(s.env).configDir, 'approval-key.json'), createKeyFile('correct horse battery staple'), 'user');
      const child = spawn(join(s.shims, 'kubectl'), ['delete', 'namespace', 'production'], { env: { ...s.env, BLASTGATE_APPROVAL_WAIT: '60' }, stdio: 'ignore' });
      const needle = `--nonce\0${child.pid}\0`;
      const pending = join(s.w.env.XDG_STATE_HOME!, 'blastgate', 'approvals', 'pending');
      await untilTrue('blastgate to wait for the approval', () => existsSync(pending) && readdirSync(pending).length > 0 && processesWith(needle).length > 0);
      child.kill('SIGKILL');
      await exited(child);
      await untilTrue('blastgate to notice its shim is gone', () => processesWith(needle).length === 0, 5000);
      expect(existsSync(`${s.w.toolLog}.argv`)).toBe(false);
    } finally {
      rmSync(s.w.root, { recursive: true, force: true });
    }
  }, T);
});

describe.runIf(onPath('psql') && existsSync('/usr/lib/postgresql/15/bin/initdb'))('psql against a real server', () => {
  let pg: TestPostgres;
  let s: Setup;
  beforeAll(async () => {
    pg = await startPostgres();
    s = await setup(['psql']);
  }, T);
  afterAll(async () => {
    await pg?.stop();
    rmSync(s.w.root, { recursive: true, force: true });
  });

  it('SIGKILL of the process the caller started leaves no psql running', async () => {
    const marker = `pg_sleep(20) /* ${process.pid}-${Date.now()} */`;
    const child = spawn(join(s.shims, 'psql'), ['-X', '-h', pg.host, '-p', String(pg.port), '-U', 'postgres', '-c', `select ${marker}`], { env: s.env, stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if ((await pg.psql(`select count(*) from pg_stat_activity where query like '%${marker}%' and pid <> pg_backend_pid()`)) === '1') break;
      await sleep(50);
    }
    child.kill('SIGKILL');
    await exited(child);
    await sleep(300);
    expect(processesWith(marker)).toEqual([]);
  }, T);
});

describe.runIf(onPath('terraform'))('terraform apply with a local-exec provisioner', () => {
  it('SIGINT to the process group is seen once: terraform never says "Two interrupts received"', async () => {
    const s = await setup(['terraform']);
    try {
      const dir = join(s.w.root, 'infra');
      mkdirSync(dir);
      writeFileSync(join(dir, 'main.tf'), 'resource "terraform_data" "slow" {\n  provisioner "local-exec" {\n    command = "sleep 30"\n  }\n}\n');
      const env = { ...s.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
      expect(spawnSync('terraform', ['init', '-input=false', '-no-color'], { env: { ...env, PATH: SYSTEM_PATH }, cwd: dir }).status).toBe(0);
      for (let run = 0; run < 3; run++) {
        rmSync(join(dir, 'terraform.tfstate'), { force: true });
        const child = spawn(join(s.shims, 'terraform'), ['apply', '-auto-approve', '-input=false', '-no-color'], { env, cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        await untilTrue(`the provisioner to start:\n${out}`, () => out.includes("Provisioning with 'local-exec'"), 60_000);
        await sleep(300);
        process.kill(-child.pid!, 'SIGINT');
        await exited(child);
        expect(out).toContain('Interrupt received');
        expect(out).not.toContain('Two interrupts received');
      }
    } finally {
      rmSync(s.w.root, { recursive: true, force: true });
    }
  }, T);
});

describe('shims depend on the rules, not on the build', () => {
  it('a rebuilt dist/ (new cli.js, same rules) leaves `git --version` on the fast path', async () => {
    const w = makeWorld();
    try {
      w.fake('git');
      const { selfEntry } = await import('../../src/shims/self.js');
      const { FAKE_BLASTGATE } = await import('./shim-sandbox.js');
      const real = selfEntry();
      expect(real.versionFiles).toEqual([join(ROOT, 'dist', 'rulesets.json')]);
      // The build stamps the compiled rules with the newest mtime of what shims are generated from (the
      // rules and the code turning them into shim conditions), not the build's time.
      const inputs = [
        ...readdirSync(join(ROOT, 'rulesets')).filter((f) => f.endsWith('.yaml')).map((f) => join(ROOT, 'rulesets', f)),
        ...['shims/template.ts', 'shims/prefilter.ts', 'analyzers/sql.ts'].map((f) => join(ROOT, 'src', f)),
      ].map((f) => statSync(f).mtimeMs);
      expect(Math.abs(statSync(real.versionFiles[0]!).mtimeMs - Math.max(...inputs))).toBeLessThan(1);
      const dir = join(w.root, 'shims');
      const { rehash } = await import('../../src/shims/rehash.js');
      const { loadEngine } = await import('../../src/engine.js');
      const { resolvePaths } = await import('../../src/config/paths.js');
      const { configHomeOf } = await import('../../src/shims/setup.js');
      const engine = await loadEngine({ env: w.env, cwd: w.root });
      rehash({ dir, paths: resolvePaths(w.env), index: engine.index, tools: ['git'], mode: 'list', self: { ...real, node: FAKE_BLASTGATE }, configHome: configHomeOf(w.env) });
      const now = new Date();
      utimesSync(join(ROOT, 'dist', 'cli.js'), now, now);
      resetLogs(w);
      expect(bash('git --version', { env: { ...w.env, PATH: w.pathWith(dir, w.fakebin) } }).code).toBe(0);
      expect(fullChecks(w)).toEqual([]);
      expect(readFileSync(`${w.toolLog}.argv`, 'utf8')).toBe('--version\0');
    } finally {
      rmSync(w.root, { recursive: true, force: true });
    }
  }, T);
});

describe('a broken install never reports success without running anything', () => {
  it('200 random truncations of dist/cli.js: exit 0 only when the tool ran; the destructive command never runs', async () => {
    const s = await setup([], ['kubectl']);
    try {
      const pkg = join(s.w.root, 'pkg');
      for (const part of ['package.json', 'bin', 'dist']) cpSync(join(ROOT, part), join(pkg, part), { recursive: true });
      const cli = join(pkg, 'dist', 'cli.js');
      const original = readFileSync(cli);
      const { rehash } = await import('../../src/shims/rehash.js');
      const { loadEngine } = await import('../../src/engine.js');
      const { resolvePaths } = await import('../../src/config/paths.js');
      const { configHomeOf } = await import('../../src/shims/setup.js');
      const engine = await loadEngine({ env: s.w.env, cwd: s.w.root });
      const shims = join(s.w.root, 'shims-copy');
      rehash({ dir: shims, paths: resolvePaths(s.w.env), index: engine.index, tools: ['kubectl'], mode: 'list', self: { node: process.execPath, bin: join(pkg, 'bin', 'blastgate.js'), versionFiles: [] }, configHome: configHomeOf(s.w.env) });
      const env = { ...s.env, PATH: s.w.pathWith(shims, s.w.fakebin) };
      let seed = 16;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      // The intact copy works both ways (so the truncations below are what fails).
      resetLogs(s.w);
      expect(bash('kubectl get pods', { env }).code).toBe(0);
      expect(existsSync(`${s.w.toolLog}.argv`)).toBe(true);
      const outcomes = new Map<string, number>();
      for (let i = 0; i < 200; i++) {
        writeFileSync(cli, original);
        truncateSync(cli, Math.floor(random() * original.length));
        resetLogs(s.w);
        const destructive = i % 2 === 0;
        const r = bash(destructive ? 'kubectl delete namespace production' : 'kubectl get pods', { env });
        const ran = existsSync(`${s.w.toolLog}.argv`);
        if (destructive) expect(ran, `truncation ${i}`).toBe(false);
        if (r.code === 0) expect(ran, `truncation ${i}: exit 0 with nothing run\n${r.stderr}`).toBe(true);
        else expect(r.stderr, `truncation ${i}`).toMatch(/^blastgate: kubectl not run: no verdict from .* \(exit \d+\); is the install broken\?/m);
        outcomes.set(String(r.code), (outcomes.get(String(r.code)) ?? 0) + 1);
      }
      expect(outcomes.get('0') ?? 0).toBe(0);
      expect(fullChecks(s.w)).toEqual([]);
    } finally {
      rmSync(s.w.root, { recursive: true, force: true });
    }
  }, 300_000);
});
