// Real tools through their shims: psql against a real PostgreSQL server (one-shot, piped and
// interactive in tmux), terraform on a terraform_data config, and job control at a real terminal.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { bash, fullChecks, makeWorld, SYSTEM_PATH, type ShimWorld } from './shim-sandbox.js';

const T = 120_000;
const onPath = (tool: string) => SYSTEM_PATH.split(':').some((d) => existsSync(join(d, tool)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A detached tmux server on its own socket, running an interactive bash in the given environment. */
const tmux = (world: ShimWorld, env: NodeJS.ProcessEnv, cwd: string) => {
  const sock = join(world.root, `tmux-${Math.random().toString(36).slice(2)}`);
  const t = (...args: string[]) => spawnSync('tmux', ['-S', sock, '-f', '/dev/null', ...args], { env, cwd, encoding: 'utf8' });
  const started = t('new-session', '-d', '-x', '160', '-y', '50', 'bash --norc --noprofile -i');
  if (started.status !== 0) throw new Error(`tmux: ${started.stderr}`);
  const screen = () => t('capture-pane', '-p', '-S', '-200').stdout;
  return {
    type: (text: string) => t('send-keys', '-l', text),
    key: (key: string) => t('send-keys', key),
    screen,
    /** Wait until the screen matches (or fail with what it shows). */
    waitFor: async (re: RegExp, ms = 20_000) => {
      for (let waited = 0; waited < ms; waited += 100) {
        if (re.test(screen())) return;
        await sleep(100);
      }
      throw new Error(`timed out waiting for ${re} on the terminal:\n${screen()}`);
    },
    kill: () => t('kill-server'),
  };
};

describe.runIf(onPath('psql') && existsSync('/usr/lib/postgresql/15/bin/initdb'))('psql through its shim, against a real PostgreSQL server', () => {
  let pg: TestPostgres;
  let world: ShimWorld;
  let env: NodeJS.ProcessEnv;
  let conn: string[];
  beforeAll(async () => {
    pg = await startPostgres();
    await pg.psql('CREATE TABLE orders (id int primary key, note text); INSERT INTO orders VALUES (1, $$ünïcode ✓$$), (2, NULL);');
    world = makeWorld();
    await world.shims(['psql'], { full: 'real' });
    env = { ...world.env, PATH: world.pathWith(join(world.root, 'shims')), BLASTGATE_APPROVAL_WAIT: '0', PGCONNECT_TIMEOUT: '10' };
    conn = ['-X', '-h', pg.host, '-p', String(pg.port), '-U', 'postgres', '-d', 'postgres'];
  }, T);
  afterAll(async () => {
    await pg?.stop();
  });

  const direct = (args: string[], input = '') => spawnSync('/usr/bin/psql', args, { env, input, cwd: world.root });
  const shimmed = (args: string[], input = '') => bash('psql "$@"', { env, args, input, cwd: world.root });

  it('a SELECT passes, output byte-identical to the direct run', () => {
    const args = [...conn, '-c', 'SELECT id, note, note IS NULL AS missing FROM orders ORDER BY id'];
    const a = direct(args);
    const b = shimmed(args);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout.equals(a.stdout)).toBe(true);
    expect(b.stdout.toString()).toContain('ünïcode ✓');
  }, T);

  it('SQL piped on stdin is read, judged and replayed: same output', () => {
    const sql = 'SELECT count(*) AS n FROM orders;\n\\echo done\n';
    const a = direct(conn, sql);
    const b = shimmed(conn, sql);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout.equals(a.stdout)).toBe(true);
    expect(b.stdout.toString()).toMatch(/\n\s+2\n[\s\S]*done/);
  }, T);

  it('`psql --version` takes the fast path (node never starts) and prints the same', async () => {
    const recorder = join(world.root, 'recorder-shims');
    await world.shims(['psql'], { dir: recorder, full: 'fake' });
    const r = spawnSync('/bin/bash', ['-c', 'psql --version'], { env: { ...env, PATH: world.pathWith(recorder) }, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(fullChecks(world)).toEqual([]);
    expect(r.stdout.equals(direct(['--version']).stdout)).toBe(true);
  }, T);

  it('DROP TABLE through the shim is stopped (77) and the table is still there', async () => {
    const r = shimmed([...conn, '-c', 'DROP TABLE orders']);
    expect(r.code).toBe(77);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/^blastgate: psql .* not run: .*psql:drop-table/m);
    expect(await pg.psql('SELECT count(*) FROM orders')).toBe('2');
  }, T);

  it.each([
    ['fast path', false],
    ['full check (project rules in the working directory)', true],
  ])('an interactive session in tmux keeps its terminal (%s)', async (_name, full) => {
    const cwd = join(world.root, full ? 'project' : 'plain');
    mkdirSync(join(cwd, full ? '.blastgate/rules' : '.'), { recursive: true });
    const term = tmux(world, { ...env, TERM: 'xterm', PS1: '$ ' }, cwd);
    try {
      term.type(`psql ${conn.join(' ')}`);
      term.key('Enter');
      await term.waitFor(/^postgres=#\s*$/m);
      term.type('SELECT 6 * 7 AS answer \\g'); // (a trailing ; would end the tmux command)
      term.key('Enter');
      await term.waitFor(/answer\s*\n-+\n\s+42\n/);
      term.type('\\q');
      term.key('Enter');
      term.type('echo "exit=$?"');
      term.key('Enter');
      await term.waitFor(/^exit=0$/m);
    } finally {
      term.kill();
    }
  }, T);
});

describe.runIf(onPath('terraform'))('terraform through its shim', () => {
  it('`terraform plan` on a terraform_data config prints exactly what it prints without blastgate (fast path and full check)', async () => {
    const world = makeWorld();
    await world.shims(['terraform'], { full: 'real' });
    const dir = join(world.root, 'infra');
    mkdirSync(dir);
    writeFileSync(join(dir, 'main.tf'), 'resource "terraform_data" "db" {\n  input = "hello"\n}\n');
    const env: NodeJS.ProcessEnv = { ...world.env, PATH: world.pathWith(join(world.root, 'shims')), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
    expect(bash('terraform init -input=false -no-color', { env, cwd: dir }).code).toBe(0);
    const plan = ['plan', '-input=false', '-no-color'];
    const direct = spawnSync('terraform', plan, { env: { ...env, PATH: SYSTEM_PATH }, cwd: dir });
    const fast = bash('terraform "$@"', { env, cwd: dir, args: plan });
    expect(fast.code, fast.stderr).toBe(0);
    expect(fast.stdout.toString()).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(fast.stdout.equals(direct.stdout)).toBe(true);
    // `.blastgate/rules` above the cwd makes the shim take the full check; the output must not change.
    mkdirSync(join(world.root, '.blastgate', 'rules'), { recursive: true });
    const full = bash('terraform "$@"', { env, cwd: dir, args: plan });
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout.equals(direct.stdout)).toBe(true);
  }, T);
});

describe('job control at a real terminal (tmux), through the full check', () => {
  it('Ctrl-Z stops the job, fg resumes it, Ctrl-C reaches the tool once and ends it', async () => {
    const world = makeWorld();
    world.fake('bgtest-tool');
    await world.shims(['bgtest-tool'], { full: 'real' });
    const env: NodeJS.ProcessEnv = { ...world.env, PATH: world.pathWith(join(world.root, 'shims'), world.fakebin), TERM: 'xterm', PS1: '$ ', FAKE_TOOL_SLEEP: '60', FAKE_TOOL_NO_STDIN: '1' };
    const term = tmux(world, env, world.root);
    const ready = `${world.toolLog}.ready`;
    try {
      term.type('bgtest-tool');
      term.key('Enter');
      for (let i = 0; i < 200 && !existsSync(ready); i++) await sleep(50);
      expect(existsSync(ready)).toBe(true);
      term.key('C-z');
      await term.waitFor(/Stopped\s+bgtest-tool/);
      const toolPid = readFileSync(ready, 'utf8').trim();
      expect(readFileSync(`/proc/${toolPid}/stat`, 'utf8').split(') ')[1]![0]).toBe('T');
      term.type('fg');
      term.key('Enter');
      await sleep(300);
      expect(readFileSync(`/proc/${toolPid}/stat`, 'utf8').split(') ')[1]![0]).not.toBe('T');
      term.key('C-c');
      term.type('echo "rc=$?"');
      term.key('Enter');
      await term.waitFor(/^rc=130$/m);
      // The terminal sent SIGINT to the whole foreground group; blastgate must not send a second one.
      expect(readFileSync(`${world.toolLog}.signals`, 'utf8')).toBe('INT\n');
    } finally {
      term.kill();
    }
  }, T);
});
