// No jail, no agent: where bubblewrap or user namespaces are missing, `blastgate sandbox` refuses to start
// (exit 2, one line) and never runs the command unconfined. Each case is made real with an outer bwrap.
import { spawnSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { dirname } from 'node:path';
import { BIN } from './world.js';

// The checkout itself stays visible when it lives under the outer jail's private /tmp.
const REPO = dirname(dirname(BIN));

vi.setConfig({ testTimeout: 60_000 });

const underOuterJail = (outer: string[]) =>
  spawnSync('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--ro-bind', REPO, REPO, ...outer, '--', process.execPath, BIN, 'sandbox', '--', 'sh', '-c', 'echo UNCONFINED'], {
    encoding: 'utf8',
    cwd: '/',
  });

describe('blastgate sandbox where it cannot jail', () => {
  it('without user namespaces: exit 2, one line naming what is missing, the command never runs', () => {
    const r = underOuterJail(['--unshare-user', '--unshare-pid', '--disable-userns']);
    expect(r.status).toBe(2);
    expect(r.stdout).not.toContain('UNCONFINED');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^blastgate: sandbox: cannot start: .*namespace/);
  });

  it('without bubblewrap installed: exit 2 and the install hint', () => {
    const r = underOuterJail(['--tmpfs', '/usr/bin', '--ro-bind', '/usr/bin/node', '/usr/bin/node', '--ro-bind', '/usr/bin/sh', '/usr/bin/sh', '--setenv', 'PATH', '/usr/bin']);
    expect(r.status).toBe(2);
    expect(r.stdout).not.toContain('UNCONFINED');
    expect(r.stderr).toMatch(/^blastgate: sandbox: cannot start: bubblewrap \(bwrap\) is not installed/);
  });
});
