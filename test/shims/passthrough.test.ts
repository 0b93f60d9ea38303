// The guarded tool must not be able to tell blastgate was there: argv, env, cwd, stdio, exit status and
// signals, through the fast path (sh execs the tool) and through the full check (node runs it).
// Real processes only: shims in a temp dir, fake tools that record how they ran, real bash.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { STAMP_FILE } from '../../src/shims/marker.js';
import { bash, bashAsync, bashOnTty, fullChecks, makeWorld, resetLogs, toolCalls, toolRun, type ShimWorld } from './shim-sandbox.js';

const T = 60_000;
const DIST = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

// Words a shell can pass that naive wrappers mangle (no NUL: argv cannot hold it).
const AWKWARD = ['', ' ', 'two words', 'new\nline', "it's", '"double"', 'back\\slash', 'ünïcödé ✓ 🚀', '-leading', '--flag=value', '-', '--', '$HOME', '*', '`x`', 'tab\there', '\u0001ctl', '=', 'a=b'];

/** Two shim dirs for the same tools: `fast` sends the full check to a recorder, `full` to real blastgate. */
interface Setup {
  w: ShimWorld;
  fastDir: string;
  fullDir: string;
  /** PATH with the recorder shims / with the real-blastgate shims first. */
  fastPath: string;
  fullPath: string;
  directPath: string;
}

const setup = async (): Promise<Setup> => {
  if (!existsSync(DIST)) throw new Error('dist/cli.js is missing: run `npm run build` before these tests');
  const w = makeWorld();
  // `bgtest-tool` has no ruleset: its shim always takes the full check, which always allows.
  w.fake('terraform', 'psql', 'bgtest-tool');
  const fastDir = join(w.root, 'shims-fast');
  const fullDir = join(w.root, 'shims-full');
  await w.shims(['terraform', 'psql', 'bgtest-tool'], { dir: fastDir, full: 'fake' });
  await w.shims(['terraform', 'psql', 'bgtest-tool'], { dir: fullDir, full: 'real' });
  return { w, fastDir, fullDir, fastPath: w.pathWith(fastDir, w.fakebin), fullPath: w.pathWith(fullDir, w.fakebin), directPath: w.pathWith(w.fakebin) };
};

const envWith = (s: Setup, path: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...s.w.env, PATH: path, ...extra });

describe('passthrough through shims', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup();
  }, T);

  describe('argv', () => {
    it('reaches the tool exactly through the fast path (and node never starts)', () => {
      resetLogs(s.w);
      const r = bash('terraform plan "$@"', { env: envWith(s, s.fastPath), args: AWKWARD });
      expect(r.code, r.stderr).toBe(0);
      expect(fullChecks(s.w)).toEqual([]);
      expect(toolRun(s.w)?.argv).toEqual(['plan', ...AWKWARD]);
    }, T);

    it('reaches the tool exactly through the full check (unguarded tool)', () => {
      resetLogs(s.w);
      const r = bash('bgtest-tool "$@"', { env: envWith(s, s.fullPath), args: AWKWARD });
      expect(r.code, r.stderr).toBe(0);
      expect(toolRun(s.w)?.argv).toEqual(AWKWARD);
    }, T);

    it('reaches the tool exactly through the full check (guarded tool, allowed)', () => {
      resetLogs(s.w);
      // `apply` sends it to the full check; `-help` makes terraform print help, so no rule fires.
      const r = bash('terraform apply -help "$@"', { env: envWith(s, s.fullPath), args: AWKWARD });
      expect(r.code, r.stderr).toBe(0);
      expect(toolRun(s.w)?.argv).toEqual(['apply', '-help', ...AWKWARD]);
    }, T);

    it('the recorder shims send that same command to the full check (so the test above used it)', () => {
      resetLogs(s.w);
      bash('terraform apply -help "$@"', { env: envWith(s, s.fastPath), args: AWKWARD });
      expect(fullChecks(s.w)).toEqual([['terraform', 'apply', '-help', ...AWKWARD]]);
      expect(toolRun(s.w)).toBeNull();
    }, T);
  });

  describe('environment and working directory', () => {
    const extra = { NODE_OPTIONS: '--max-old-space-size=200', WEIRD_VALUE: 'a b\nc=d', EMPTY_VALUE: '' };
    const runIn = (path: string, script: string, cwd: string) => {
      resetLogs(s.w);
      const r = bash(script, { env: envWith(s, path, extra), cwd });
      expect(r.code, r.stderr).toBe(0);
      return toolRun(s.w)!;
    };

    it.each([
      ['fast path', 'fastPath', 'terraform plan'],
      ['full check', 'fullPath', 'terraform apply -help'],
    ] as const)('are what the tool gets without blastgate (%s)', (_name, which, command) => {
      const cwd = join(s.w.root, 'a dir with spaces');
      mkdirSync(cwd, { recursive: true });
      const direct = runIn(s.directPath, command, cwd);
      const shimmed = runIn(s[which], command, cwd);
      expect(shimmed.cwd).toBe(direct.cwd);
      expect({ ...shimmed.env, PATH: '' }).toEqual({ ...direct.env, PATH: '' });
      expect(shimmed.env.NODE_OPTIONS).toBe(extra.NODE_OPTIONS);
    }, T);

    it('PWD and OLDPWD stay as the shell set them in a symlinked directory', () => {
      const target = join(s.w.root, 'real-dir');
      mkdirSync(target, { recursive: true });
      const link = join(s.w.root, 'link-dir');
      if (!existsSync(link)) symlinkSync(target, link);
      const direct = runIn(s.directPath, `cd ${link} && terraform plan`, s.w.root);
      const shimmed = runIn(s.fastPath, `cd ${link} && terraform plan`, s.w.root);
      expect(fullChecks(s.w)).toEqual([]);
      expect(shimmed.env.PWD).toBe(link);
      expect(shimmed.env.OLDPWD).toBe(direct.env.OLDPWD);
      expect({ ...shimmed.env, PATH: '' }).toEqual({ ...direct.env, PATH: '' });
    }, T);
  });

  describe('exit status', () => {
    it.each([0, 1, 2, 77, 127, 255])('exit %i comes back exactly (fast path and full check)', (code) => {
      for (const [path, command] of [[s.fastPath, 'terraform plan'], [s.fullPath, 'terraform apply -help']] as const) {
        const r = bash(`${command}; echo "rc=$?"`, { env: envWith(s, path, { FAKE_TOOL_EXIT: String(code) }) });
        expect(r.stdout.toString(), r.stderr).toBe(`rc=${code}\n`);
      }
    }, T);

    it.each([
      ['TERM', 143],
      ['KILL', 137],
    ])('a tool killed by SIG%s is seen by the parent shell as %i', (signal, rc) => {
      for (const [path, command] of [[s.fastPath, 'terraform plan'], [s.fullPath, 'terraform apply -help']] as const) {
        const r = bash(`${command}; echo "rc=$?"`, { env: envWith(s, path, { FAKE_TOOL_SIGNAL: signal }) });
        expect(r.stdout.toString(), `${command}: ${r.stderr}`).toBe(`rc=${rc}\n`);
      }
    }, T);

    it('and the process the shell started dies by that same signal (full check re-raises it)', () => {
      const r = bash('exec terraform apply -help', { env: envWith(s, s.fullPath, { FAKE_TOOL_SIGNAL: 'TERM' }) });
      expect(r.signal).toBe('SIGTERM');
    }, T);
  });

  describe('signals sent to blastgate reach the tool', () => {
    it.each(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const)('%s is forwarded, and the shell sees the tool die by it', async (signal) => {
      resetLogs(s.w);
      const child = bashAsync('exec terraform apply -help', { env: envWith(s, s.fullPath, { FAKE_TOOL_SLEEP: '30' }) });
      const ready = `${s.w.toolLog}.ready`;
      for (let i = 0; i < 200 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(ready)).toBe(true);
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, sig) => resolve(sig)));
      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(readFileSync(`${s.w.toolLog}.signals`, 'utf8')).toBe(`${signal.slice(3)}\n`);
    }, T);
  });

  describe('stdio', () => {
    it('adds nothing to stdout (fast path and full check)', () => {
      for (const [path, command] of [[s.fastPath, 'terraform plan'], [s.fullPath, 'terraform apply -help'], [s.fullPath, 'bgtest-tool']] as const) {
        const r = bash(command, { env: envWith(s, path, { FAKE_TOOL_OUT: 'exact output\nno extra ✓' }) });
        expect(r.stdout.toString('utf8')).toBe('exact output\nno extra ✓');
      }
    }, T);

    it('a terminal stays a terminal (fast path and full check)', () => {
      for (const [path, command] of [[s.fastPath, 'terraform plan'], [s.fullPath, 'terraform apply -help']] as const) {
        resetLogs(s.w);
        bashOnTty(command, { env: envWith(s, path) });
        expect(toolRun(s.w)?.tty, command).toBe('tty');
      }
    }, T);

    it('piped SQL is analysed and replayed to psql byte for byte', () => {
      resetLogs(s.w);
      const sql = Buffer.concat([Buffer.from('SELECT 1;\n-- comment with bytes that are not UTF-8: '), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from(' ünï\nSELECT 2;\n')]);
      const r = bash('psql -d shop', { env: envWith(s, s.fullPath), input: sql });
      expect(r.code, r.stderr).toBe(0);
      expect(toolRun(s.w)?.stdin?.equals(sql)).toBe(true);
    }, T);

    it('piped destructive SQL stops psql before it starts (exit 77, one blastgate line)', () => {
      resetLogs(s.w);
      const r = bash('psql -d shop', { env: envWith(s, s.fullPath, { BLASTGATE_APPROVAL_WAIT: '0' }), input: 'DROP TABLE orders;\n' });
      expect(r.code).toBe(77);
      // (the blast-radius resolver may run its own read-only psql; the user's command never ran)
      expect(toolCalls(s.w)).not.toContainEqual(['-d', 'shop']);
      expect(r.stdout.length).toBe(0);
      expect(r.stderr).toMatch(/^blastgate: .*not run/m);
    }, T);

    it('stdin larger than the analysis cap is judged unknown: the command is stopped', () => {
      resetLogs(s.w);
      const big = Buffer.alloc(9 * 1024 * 1024, 'SELECT 1;\n');
      const r = bash('psql -d shop', { env: envWith(s, s.fullPath, { BLASTGATE_APPROVAL_WAIT: '0', AI_AGENT: '1' }), input: big });
      expect(r.code).toBe(77);
      expect(r.stderr).toMatch(/^blastgate: psql -d shop not run: .*psql:unreadable-sql/m);
      expect(toolCalls(s.w)).not.toContainEqual(['-d', 'shop']);
      const human = bash('psql -d shop', { env: envWith(s, s.fullPath, { BLASTGATE_APPROVAL_WAIT: '0' }), input: big });
      expect(human.code).toBe(77);
      expect(toolCalls(s.w)).not.toContainEqual(['-d', 'shop']);
    }, T);

    it('and when allowed, the held bytes and the rest of the stream reach psql byte for byte', () => {
      resetLogs(s.w);
      const big = Buffer.alloc(9 * 1024 * 1024 + 12345);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 13)) & 0xff;
      // Unknown SQL needs a confirmation from a human too; a (root-owned, so trusted) system policy that allows it stands in for one.
      const config = mkdtempSync(join(tmpdir(), 'bg-allow-unknown-'));
      mkdirSync(join(config, 'blastgate'));
      writeFileSync(join(config, 'blastgate', 'config.yaml'), 'rules:\n  psql:unreadable-sql: allow\n');
      const r = bash('psql -d shop', { env: envWith(s, s.fullPath, { BLASTGATE_SYSTEM_DIR: join(config, 'blastgate') }), input: big });
      expect(r.code, r.stderr).toBe(0);
      expect(toolRun(s.w)?.stdin?.equals(big)).toBe(true);
    }, T);
  });

  describe('gate', () => {
    it('`terraform destroy` in a fresh bash exits 77 and terraform never starts', () => {
      resetLogs(s.w);
      const r = bash('terraform destroy', { env: envWith(s, s.fullPath, { BLASTGATE_APPROVAL_WAIT: '0' }) });
      expect(r.code).toBe(77);
      expect(toolCalls(s.w).filter((argv) => argv.includes('destroy'))).toEqual([]);
      expect(r.stdout.length).toBe(0);
      expect(r.stderr).toMatch(/^blastgate: terraform destroy not run: .*terraform:destroy/m);
    }, T);

    it('`terraform version` runs untouched, without node', () => {
      resetLogs(s.w);
      const r = bash('terraform version', { env: envWith(s, s.fastPath) });
      expect(r.code).toBe(0);
      expect(fullChecks(s.w)).toEqual([]);
      expect(toolRun(s.w)?.argv).toEqual(['version']);
    }, T);

    it('a tool with no real binary behaves as the shell would: not found, 127, blastgate never asked', () => {
      resetLogs(s.w);
      const r = bash('psql -c "drop table x"', { env: envWith(s, s.fastDir) });
      expect(r.code).toBe(127);
      expect(r.stderr).toBe('psql: command not found\n');
      expect(fullChecks(s.w)).toEqual([]);
    }, T);
  });

  describe('no recursion', () => {
    it('a shim dir listed twice and through a symlink still reaches the real tool (both paths)', () => {
      const link = join(s.w.root, 'shims-full-link');
      if (!existsSync(link)) symlinkSync(s.fullDir, link);
      const path = s.w.pathWith(s.fullDir, link, s.fullDir, s.w.fakebin);
      for (const command of ['terraform plan', 'terraform apply -help']) {
        resetLogs(s.w);
        const r = bash(command, { env: envWith(s, path) });
        expect(r.code, r.stderr).toBe(0);
        expect(toolRun(s.w)?.argv).toEqual(command.split(' ').slice(1));
      }
    }, T);
  });

  describe('stale or unusual situations take the full check, never a direct exec', () => {
    const direct = (env: NodeJS.ProcessEnv, cwd?: string) => {
      resetLogs(s.w);
      bash('terraform plan', { env, ...(cwd ? { cwd } : {}) });
      return fullChecks(s.w).length === 0 && toolRun(s.w) !== null;
    };

    it('baseline: `terraform plan` takes the fast path', () => {
      expect(direct(envWith(s, s.fastPath))).toBe(true);
    });

    it('a stamp from another generation', () => {
      const stamp = join(s.fastDir, STAMP_FILE);
      const saved = readFileSync(stamp);
      writeFileSync(stamp, `0000000000000000\n${saved.toString().slice(saved.indexOf('\n') + 1)}`);
      try {
        expect(direct(envWith(s, s.fastPath))).toBe(false);
      } finally {
        writeFileSync(stamp, saved);
      }
    }, T);

    it('user rules created after the shims were generated', () => {
      const rules = join(s.w.env.XDG_CONFIG_HOME!, 'blastgate', 'rules');
      mkdirSync(rules, { recursive: true });
      try {
        expect(direct(envWith(s, s.fastPath))).toBe(false);
      } finally {
        bash(`rm -r ${JSON.stringify(rules)}`, { env: { PATH: '/usr/bin:/bin' } });
      }
    }, T);

    it('another XDG_CONFIG_HOME or BLASTGATE_SYSTEM_DIR (other rules)', () => {
      expect(direct(envWith(s, s.fastPath, { XDG_CONFIG_HOME: join(s.w.root, 'elsewhere') }))).toBe(false);
      expect(direct(envWith(s, s.fastPath, { BLASTGATE_SYSTEM_DIR: join(s.w.root, 'other-etc') }))).toBe(false);
    }, T);

    it('project rules above the working directory, also reached through a symlink', () => {
      const project = join(s.w.root, 'project');
      mkdirSync(join(project, '.blastgate', 'rules'), { recursive: true });
      mkdirSync(join(project, 'deep', 'er'), { recursive: true });
      const link = join(s.w.root, 'project-link');
      if (!existsSync(link)) symlinkSync(join(project, 'deep'), link);
      expect(direct(envWith(s, s.fastPath), join(project, 'deep', 'er'))).toBe(false);
      // The shell's logical PWD (…/project-link/er) hides the project; blastgate reads the physical path.
      resetLogs(s.w);
      bash(`cd ${join(link, 'er')} && terraform plan`, { env: envWith(s, s.fastPath) });
      expect(fullChecks(s.w).length).toBe(1);
    }, T);

    it('TF_CLI_ARGS / TF_CLI_ARGS_<command> add words the shim cannot see', () => {
      expect(direct(envWith(s, s.fastPath, { TF_CLI_ARGS: '-destroy' }))).toBe(false);
      expect(direct(envWith(s, s.fastPath, { TF_CLI_ARGS_plan: '-destroy' }))).toBe(false);
      expect(direct(envWith(s, s.fastPath, { TF_CLI_ARGS_apply: '-destroy' }))).toBe(true);
    }, T);
  });
});
