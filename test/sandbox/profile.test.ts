// Profiles: what an agent may write besides the workspace; bad profile files are named with their line;
// a system policy can pin the profile. And `doctor --sandbox` tells what would be covered and masked.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asUserArgv, giveTo, runAs } from './agent-user.js';
import { BIN, makeWorld, type World } from './world.js';

vi.setConfig({ testTimeout: 60_000 });

let world: World;
beforeEach(() => {
  world = makeWorld();
  for (const d of ['.claude', '.codex']) mkdirSync(join(world.home, d));
  giveTo(world.user, world.home);
});
afterEach(() => world.cleanup());

const sandboxWith = (args: string[], line: string) => runAs(world.user, [process.execPath, BIN, 'sandbox', ...args, '--', 'bash', '-c', line], world.env, world.work);
const tryWrite = (dir: string) => `touch ~/${dir}/x 2>/dev/null && echo "${dir} writable" || echo "${dir} read-only"`;

describe('sandbox profiles', () => {
  it('the claude profile makes ~/.claude writable and nothing else in HOME', () => {
    const r = sandboxWith(['--profile', 'claude'], `${tryWrite('.claude')}; ${tryWrite('.codex')}`);
    expect(r.stdout).toBe('.claude writable\n.codex read-only\n');
  });

  it('the default (generic) profile keeps all of HOME read-only', () => {
    const r = world.sandbox(`${tryWrite('.claude')}; ${tryWrite('.codex')}`);
    expect(r.stdout).toBe('.claude read-only\n.codex read-only\n');
  });

  it('a profile file of the user: extra writable dirs; a broken one is refused with its file and line', () => {
    const good = join(world.root, 'mine.yaml');
    writeFileSync(good, 'name: mine\nwritable: ["~/.codex"]\n');
    expect(sandboxWith(['--profile', good], tryWrite('.codex')).stdout).toBe('.codex writable\n');
    const bad = join(world.root, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nwritable: [unclosed\n');
    const r = sandboxWith(['--profile', bad], 'echo RAN');
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('RAN');
    expect(r.stderr).toMatch(new RegExp(`^blastgate: ${bad}:\\d+: `));
    writeFileSync(bad, 'name: bad\nwritabel: ["~"]\n');
    expect(sandboxWith(['--profile', bad], 'echo RAN').stderr).toMatch(/unknown key "writabel"/);
  });

  it('a root-owned system policy can pin the profile; --profile then cannot pick another', () => {
    const sys = join(world.root, 'sys');
    writeFileSync(join(sys, 'config.yaml'), 'sandbox:\n  profile: generic\n');
    chownSync(sys, 0, 0);
    chownSync(join(sys, 'config.yaml'), 0, 0);
    // Only /etc/blastgate can pin (BLASTGATE_SYSTEM_DIR is tighten-only for a non-root caller): bind the
    // root-owned dir there, in a private mount namespace over an overlay of /etc (the host's /etc is untouched).
    const ov = mkdtempSync('/tmp/bg-sbx-etc-');
    for (const d of ['up', 'work']) mkdirSync(join(ov, d), { mode: 0o755 });
    chmodSync(join(ov, 'up'), 0o755);
    const pinnedRun = (args: string[], line: string) => {
      const inner = `set -e; mount -t overlay overlay -o lowerdir=/etc,upperdir=${ov}/up,workdir=${ov}/work /etc; mkdir -p /etc/blastgate; mount --bind ${sys} /etc/blastgate; exec "$@"`;
      const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', inner, 'sh', ...asUserArgv(world.user, [process.execPath, BIN, 'sandbox', ...args, '--', 'bash', '-c', line])], { env: world.env, cwd: world.work, encoding: 'utf8', timeout: 60_000 });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    try {
      const refused = pinnedRun(['--profile', 'claude'], 'echo RAN');
      expect(refused.code).toBe(77);
      expect(refused.stdout).not.toContain('RAN');
      expect(refused.stderr).toMatch(/pins the profile to "generic"/);
      // Without --profile the pinned one applies even to `claude`-looking agents' state dirs.
      expect(pinnedRun([], tryWrite('.claude')).stdout).toBe('.claude read-only\n');
      // Named by BLASTGATE_SYSTEM_DIR only, the same file pins nothing.
      expect(sandboxWith(['--profile', 'claude'], 'echo RAN').stdout).toContain('RAN');
    } finally {
      rmSync(ov, { recursive: true, force: true });
    }
  });
});

describe('blastgate doctor --sandbox', () => {
  it('reports bubblewrap, the covered tools, the placeholder variables and the masked files', () => {
    const r = runAs(world.user, [process.execPath, BIN, 'doctor', '--sandbox'], world.env, world.work);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok +.*bwrap works/m);
    expect(r.stdout).toMatch(/covered by the blastgate client: .*\/usr\/bin\/psql/);
    expect(r.stdout).toMatch(/covered by the blastgate client: .*\/bin\/railway/);
    expect(r.stdout).toMatch(/placeholders: .*RAILWAY_API_TOKEN/);
    expect(r.stdout).toContain(join(world.home, '.pgpass'));
    expect(r.stdout).toContain(join(world.home, '.railway', 'config.json'));
  });
});
