// The attack: an agent running as a real (non-root) user points HOME at a decoy and deletes its real
// home through the rm shim. The protected set takes homes from getpwuid and /etc/passwd, not from
// HOME, so the real home survives. Real user (useradd), real bash, real rm, real shim.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, type ShimWorld } from './shim-sandbox.js';

const T = 120_000;
const USER = 'bgt-options';
const HOME = `/home/${USER}`;
const isRoot = process.getuid?.() === 0;
const canUseradd = isRoot && spawnSync('sh', ['-c', 'command -v useradd runuser']).status === 0;

describe.runIf(canUseradd)('a real user with a decoy HOME cannot delete its real home through the shim', () => {
  let world: ShimWorld;
  let userDirs: string;
  let uid = 0;
  let gid = 0;

  beforeAll(async () => {
    if (spawnSync('id', [USER]).status !== 0) {
      const r = spawnSync('useradd', ['-m', '-d', HOME, '-s', '/bin/bash', USER], { encoding: 'utf8' });
      if (r.status !== 0 && spawnSync('id', [USER]).status !== 0) throw new Error(`useradd: ${r.stderr}`);
    }
    uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim());
    gid = Number(spawnSync('id', ['-g', USER], { encoding: 'utf8' }).stdout.trim());
    mkdirSync(HOME, { recursive: true });
    chownSync(HOME, uid, gid);
    world = makeWorld();
    await world.shims(['rm'], { full: 'real' });
    chmodSync(world.root, 0o755);
    userDirs = mkdtempSync(join(tmpdir(), 'bgt-options-'));
    chmodSync(userDirs, 0o755);
    for (const d of ['decoy', 'config', 'state', 'data', 'work']) {
      mkdirSync(join(userDirs, d));
      chownSync(join(userDirs, d), uid, gid);
    }
  }, T);
  afterAll(() => {
    if (userDirs) rmSync(userDirs, { recursive: true, force: true });
  });

  const asUser = (line: string) =>
    spawnSync('runuser', ['-u', USER, '--', '/usr/bin/env', '-i',
      `PATH=${world.pathWith(join(world.root, 'shims'))}`,
      `HOME=${join(userDirs, 'decoy')}`,
      `XDG_CONFIG_HOME=${join(userDirs, 'config')}`, `XDG_STATE_HOME=${join(userDirs, 'state')}`, `XDG_DATA_HOME=${join(userDirs, 'data')}`,
      `BLASTGATE_SYSTEM_DIR=${join(userDirs, 'system')}`, 'BLASTGATE_APPROVAL_WAIT=0', 'CLAUDECODE=1',
      '/bin/bash', '-c', line], { cwd: join(userDirs, 'work'), encoding: 'utf8', timeout: 60_000 });

  it.each([[`rm -rf ${HOME}`], [`rm -rf ~${USER}`], [`cd ${HOME} && rm -rf *`], [`rm -rf ${HOME}/*`]])('%s is refused and the home keeps its files', (line) => {
    for (const f of ['canary.txt', 'work.md']) {
      writeFileSync(join(HOME, f), 'still here\n');
      chownSync(join(HOME, f), uid, gid);
    }
    const r = asUser(line);
    expect(r.status, r.stderr).toBe(77);
    expect(r.stderr).toMatch(/rm:recursive-root-or-home/);
    expect(existsSync(join(HOME, 'canary.txt'))).toBe(true);
    expect(existsSync(join(HOME, 'work.md'))).toBe(true);
  }, T);

  it('the decoy HOME is protected too (the shell expanded ~ to it), and ordinary deletes run', () => {
    writeFileSync(join(userDirs, 'decoy', 'x'), '');
    const decoy = asUser('rm -rf ~');
    expect(decoy.status, decoy.stderr).toBe(77);
    expect(decoy.stderr).toMatch(/rm:recursive-root-or-home/);
    expect(existsSync(join(userDirs, 'decoy', 'x'))).toBe(true);
    const ok = asUser('mkdir -p build/out && rm -rf build && test ! -e build');
    expect(ok.status, ok.stderr).toBe(0);
  }, T);
});
