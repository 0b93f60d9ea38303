// The audit log must not lose records: a lock left empty or garbled is recovered, many gated commands at
// once each leave a record, a record that cannot be written refuses the gated command, and a gated
// command killed while it waits has already left one.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeKeyFile } from '../../src/approvals/key-store.js';
import { createKeyFile } from '../../src/approvals/keys.js';
import { appendRecord, auditLogPath, readRecords } from '../../src/audit/log-file.js';
import { buildRecordBody } from '../../src/audit/record.js';
import { resolvePaths } from '../../src/config/paths.js';
import { BIN, sandbox, type Sandbox } from '../helpers/cli.js';
import { rmSync } from 'node:fs';
import { installShims, makeSandbox, Terminal } from '../confirm/sandbox.js';

const T = 120_000;
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'bin');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let box: Sandbox;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  box = sandbox();
  env = { ...box.env, PATH: `${FIXTURES}:${box.env.PATH}`, FAKE_TOOL_LOG: join(box.root, 'tool'), BLASTGATE_APPROVAL_WAIT: '0' };
});
afterEach(() => rmSync(box.root, { recursive: true, force: true }));

const paths = () => resolvePaths(env);
const body = (n: number) =>
  buildRecordBody({ kind: 'decision', actor: 'agent', tool: 'kubectl', argv: ['kubectl', 'delete', 'ns', `n${n}`], cwd: '/', decision: 'declined', rules: [], target: null, env: {} });
const toolRan = () => existsSync(join(box.root, 'tool.argv'));

describe('the audit lock', () => {
  it.each([
    ['empty', ''],
    ['garbage', 'not a lock at all'],
    ['only a pid', '12345'],
    ['blank lines', '\n\n\n'],
    ['binary', '\u0000\u00ff\u0001'],
  ])('an old %s lock file is recovered at once', async (_name, content) => {
    mkdirSync(paths().stateDir, { recursive: true });
    const lock = `${auditLogPath(paths())}.lock`;
    writeFileSync(lock, content);
    const old = new Date(Date.now() - 10_000);
    utimesSync(lock, old, old);
    const started = Date.now();
    await appendRecord(paths(), body(1));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(readRecords(paths()).map((r) => r.argv[3])).toEqual(['n1']);
  });

  it('50 gated commands at once: every one has its record', async () => {
    const runs = Array.from({ length: 50 }, (_, i) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'run', '--', 'kubectl', 'delete', 'namespace', `ns-${i}`], { env, stdio: 'ignore' });
        child.on('exit', (code) => resolve(code));
      }),
    );
    const codes = await Promise.all(runs);
    expect(new Set(codes)).toEqual(new Set([77]));
    const recorded = new Set(readRecords(paths()).map((r) => r.argv.join(' ')));
    for (let i = 0; i < 50; i++) expect(recorded.has(`kubectl delete namespace ns-${i}`), `ns-${i}`).toBe(true);
    expect(toolRan()).toBe(false);
  }, T);
});

describe('a record that cannot be written', () => {
  it('refuses the gated command with one line; a safe command still runs', () => {
    // A state dir under a regular file: mkdir fails (ENOTDIR) even for root.
    writeFileSync(join(box.root, 'file'), '');
    const broken = { ...env, XDG_STATE_HOME: join(box.root, 'file', 'state') };
    const r = spawnSync(process.execPath, [BIN, 'run', '--', 'kubectl', 'delete', 'namespace', 'staging'], { env: broken, encoding: 'utf8' });
    expect(r.status).toBe(77);
    expect(r.stderr).toMatch(/^blastgate: audit log not written: .*ENOTDIR/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(toolRan()).toBe(false);
    const safe = spawnSync(process.execPath, [BIN, 'run', '--', 'kubectl', 'get', 'pods'], { env: broken, encoding: 'utf8' });
    expect(safe.status, safe.stderr).toBe(0);
    expect(toolRan()).toBe(true);
  });

  it('a human at a terminal (tmux) is not asked: refused before the prompt, the tool never runs', async () => {
    const confirmBox = makeSandbox();
    try {
      // A system policy (root-owned in a real install; the tests run as root) turns the critical tier's typed
      // name and passphrase into a plain y/N question, so the prompt below is the only thing in the way.
      writeFileSync(join(confirmBox.root, 'sys', 'config.yaml'), 'confirm:\n  timeout: 90\n  typeName: []\n  passphrase: never\n');
      await installShims(confirmBox);
      // The same command with a writable state dir asks "Type y" (so the refusal below is the audit's).
      const asks = new Terminal(confirmBox.root, ['dropdb', 'shop'], confirmBox.env, confirmBox.work);
      try {
        // Generous waits: several node processes start on a loaded machine before the prompt shows.
        await asks.waitForScreen(/Type y to proceed/, 90_000);
        asks.type('n');
        asks.key('Enter');
        expect(await asks.exitCode(90_000)).toBe(77);
      } finally {
        asks.kill();
      }
      writeFileSync(join(confirmBox.root, 'file'), '');
      const t = new Terminal(confirmBox.root, ['dropdb', 'shop'], { ...confirmBox.env, XDG_STATE_HOME: join(confirmBox.root, 'file', 'state') }, confirmBox.work);
      try {
        expect(await t.exitCode(90_000)).toBe(77);
        expect(t.screen()).toMatch(/blastgate: audit log not written: .*ENOTDIR/);
        expect(t.screen()).not.toMatch(/Type y/);
      } finally {
        t.kill();
      }
      expect(confirmBox.runs()).toEqual([]);
    } finally {
      confirmBox.cleanup();
    }
  }, 240_000);
});

describe('a gated command killed while it waits for an approval', () => {
  it('has already left its record', async () => {
    writeKeyFile(join(paths().configDir, 'approval-key.json'), createKeyFile('correct horse battery staple'), 'user');
    const child = spawn(process.execPath, [BIN, 'run', '--', 'kubectl', 'delete', 'namespace', 'waiting'], { env: { ...env, BLASTGATE_APPROVAL_WAIT: '60' }, stdio: 'ignore' });
    const pending = join(paths().stateDir, 'approvals', 'pending');
    for (let i = 0; i < 400 && !(existsSync(pending) && readdirSync(pending).length > 0); i++) await sleep(50);
    expect(readdirSync(pending).length).toBe(1);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const mine = readRecords(paths()).filter((r) => r.argv.join(' ') === 'kubectl delete namespace waiting');
    expect(mine.map((r) => r.decision)).toEqual(['asked']);
    expect(toolRan()).toBe(false);
  }, T);
});
