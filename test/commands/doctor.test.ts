// `blastgate doctor`: each way the gate can fail to stand in front of the tools is found, with its fix.
import { chmodSync, mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKeyFile } from '../../src/approvals/keys.js';
import { describe, expect, it } from 'vitest';
import { doctorChecks, runDoctor, sudoSecurePath, type Check } from '../../src/commands/doctor.js';
import { runInit } from '../../src/commands/init.js';
import { STAMP_FILE } from '../../src/shims/marker.js';
import { blastgate } from '../helpers/cli.js';
import { makeWorld } from '../shims/shim-sandbox.js';

const T = 60_000;

/** After `init --tools terraform,psql`: env with the shim dir first on PATH. */
const installed = async () => {
  const w = makeWorld();
  w.fake('terraform', 'psql');
  const base = { ...w.env, PATH: `${w.fakebin}:/usr/bin:/bin` };
  await runInit({ env: base, out: () => {}, tools: 'terraform,psql', shellRc: false });
  const dir = join(w.env.XDG_DATA_HOME!, 'blastgate', 'shims');
  const sudoers = join(w.root, 'sudoers');
  return { w, dir, sudoers, env: { ...base, PATH: `${dir}:${base.PATH}` } };
};

const byId = (checks: Check[], id: string) => checks.find((c) => c.id === id);

describe('blastgate doctor', () => {
  it('names a guarded tool installed after `init --installed-only` (no shim: it runs unchecked)', async () => {
    const w = makeWorld();
    w.fake('terraform');
    const base = { ...w.env, PATH: `${w.fakebin}:/bin` };
    await runInit({ env: base, out: () => {}, installedOnly: true, shellRc: false });
    const dir = join(w.env.XDG_DATA_HOME!, 'blastgate', 'shims');
    const env = { ...base, PATH: `${dir}:${base.PATH}` };
    expect((await doctorChecks({ env, sudoers: join(w.root, 'sudoers') })).checks.filter((c) => c.id.startsWith('unshimmed:'))).toEqual([]);
    w.fake('tofu');
    const { checks } = await doctorChecks({ env, sudoers: join(w.root, 'sudoers') });
    expect(byId(checks, 'unshimmed:tofu')).toMatchObject({ status: 'fail', message: expect.stringContaining('tofu is on PATH'), fix: 'blastgate shims rehash' });
  }, T);

  it('says so when the blastgate the shims call was moved or deleted', async () => {
    const { dir, env, sudoers } = await installed();
    const stamp = join(dir, STAMP_FILE);
    const text = readFileSync(stamp, 'utf8');
    const manifest = JSON.parse(text.slice(text.indexOf('\n') + 1)) as { bin: string };
    writeFileSync(stamp, text.replace(JSON.stringify(manifest.bin), JSON.stringify('/moved/away/bin/blastgate.js')));
    const { checks } = await doctorChecks({ env, sudoers });
    expect(byId(checks, 'shims:entry')).toMatchObject({ status: 'fail', message: expect.stringContaining('/moved/away/bin/blastgate.js, which no longer exists') });
  }, T);

  it('says which shells start with the shims on PATH and which do not', async () => {
    const { w, env, sudoers } = await installed();
    const before = await doctorChecks({ env, sudoers });
    expect(byId(before.checks, 'shells:missing')).toMatchObject({ status: 'warn', message: expect.stringContaining('bash login (-l) (~/.profile)') });
    await runInit({ env: { ...env, SHELL: '/bin/bash' }, out: () => {}, tools: 'terraform,psql', yes: true, shell: 'bash' });
    const after = await doctorChecks({ env, sudoers });
    expect(byId(after.checks, 'shells')?.message).toMatch(/bash interactive \(~\/\.bashrc\), bash login \(-l\) \(~\/\.profile\)/);
    expect(byId(after.checks, 'shells:missing')?.message).toContain('zsh');
    void w;
  }, T);

  it('passes a fresh setup, warning only that no approval passphrase is set', async () => {
    const { env, sudoers } = await installed();
    const { checks } = await doctorChecks({ env, sudoers });
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(byId(checks, 'path')?.status).toBe('ok');
    expect(byId(checks, 'shims:current')?.message).toBe('current: psql, terraform');
    expect(byId(checks, 'real:psql')?.message).toMatch(/fakebin\/psql$/);
    expect(byId(checks, 'passphrase')).toMatchObject({ status: 'warn', fix: 'blastgate passphrase set' });
    const lines: string[] = [];
    expect(await runDoctor({ env, sudoers, out: (l) => lines.push(l) })).toBe(0);
    expect(lines.at(-1)).toBe('No problems found.');
  }, T);

  it('fails when the shim dir is not on PATH, or a tool dir comes first', async () => {
    const { w, env, sudoers } = await installed();
    const off = await doctorChecks({ env: { ...env, PATH: `${w.fakebin}:/usr/bin:/bin` }, sudoers });
    expect(byId(off.checks, 'path')).toMatchObject({ status: 'fail', fix: expect.stringContaining('export PATH=') });
    const behind = await doctorChecks({ env: { ...env, PATH: `${w.fakebin}:${env.PATH}` }, sudoers });
    expect(byId(behind.checks, 'path:terraform')).toMatchObject({ status: 'fail' });
    expect(byId(behind.checks, 'path:terraform')?.message).toContain('runs');
  }, T);

  it('finds missing, outdated and stale shims', async () => {
    const { dir, env, sudoers } = await installed();
    unlinkSync(join(dir, 'psql'));
    const stamp = join(dir, STAMP_FILE);
    writeFileSync(stamp, `ffffffffffffffff\n${readFileSync(stamp, 'utf8').split('\n').slice(1).join('\n')}`);
    const { checks } = await doctorChecks({ env, sudoers });
    expect(byId(checks, 'shim:psql')).toMatchObject({ status: 'fail', fix: 'blastgate shims rehash' });
    expect(byId(checks, 'shims:outdated')).toMatchObject({ status: 'warn', fix: 'blastgate shims rehash' });
    expect(byId(checks, 'shims:outdated')?.message).toMatch(/: terraform$/);
  }, T);

  it('warns when a tool has no real binary any more', async () => {
    const { w, env, sudoers } = await installed();
    unlinkSync(join(w.fakebin, 'psql'));
    const { checks } = await doctorChecks({ env: { ...env, PATH: env.PATH!.replace(':/usr/bin:/bin', '') }, sudoers });
    expect(byId(checks, 'real:psql')).toMatchObject({ status: 'warn' });
  }, T);

  it('fails on config or state dirs others can write', async () => {
    const { w, env, sudoers } = await installed();
    const config = join(w.env.XDG_CONFIG_HOME!, 'blastgate');
    mkdirSync(config, { recursive: true });
    chmodSync(config, 0o777);
    const { checks } = await doctorChecks({ env, sudoers });
    expect(checks.find((c) => c.id.startsWith('perm:') && c.status === 'fail')?.fix).toBe(`chmod go-w ${config}`);
  }, T);

  it('knows when sudo\'s secure_path skips the shims', async () => {
    const { w, dir, env, sudoers } = await installed();
    w.fake('sudo');
    writeFileSync(sudoers, 'Defaults\tenv_reset\nDefaults\tsecure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n');
    expect(byId((await doctorChecks({ env, sudoers })).checks, 'sudo')).toMatchObject({ status: 'warn', fix: expect.stringContaining(dir) });
    writeFileSync(sudoers, `Defaults secure_path="${dir}:/usr/bin:/bin"\n`);
    expect(byId((await doctorChecks({ env, sudoers })).checks, 'sudo')?.status).toBe('ok');
  }, T);

  it('reads secure_path from sudoers.d too, the last one winning', () => {
    const w = makeWorld();
    const d = join(w.root, 'sudoers.d');
    mkdirSync(d);
    writeFileSync(join(w.root, 'sudoers'), `Defaults secure_path="/a"\n@includedir ${d}\n`);
    writeFileSync(join(d, 'zz-local'), 'Defaults secure_path = /b:/c\n');
    expect(sudoSecurePath(join(w.root, 'sudoers'))).toBe('/b:/c');
    expect(sudoSecurePath(join(w.root, 'missing'))).toBeNull();
  });

  it('is satisfied once an approval key exists (a file that is not one does not count)', async () => {
    const { w, env, sudoers } = await installed();
    mkdirSync(join(w.env.XDG_CONFIG_HOME!, 'blastgate'), { recursive: true, mode: 0o700 });
    writeFileSync(join(w.env.XDG_CONFIG_HOME!, 'blastgate', 'approval-key.json'), '{}');
    expect(byId((await doctorChecks({ env, sudoers })).checks, 'passphrase')?.status).toBe('warn');
    writeFileSync(join(w.env.XDG_CONFIG_HOME!, 'blastgate', 'approval-key.json'), JSON.stringify(createKeyFile('a passphrase for doctor')));
    expect(byId((await doctorChecks({ env, sudoers })).checks, 'passphrase')?.status).toBe('ok');
  }, T);

  it('CLI: --json prints one object and exits 1 when something failed', () => {
    const w = makeWorld();
    const r = blastgate(['doctor', '--json'], { env: w.env });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
    expect(report.ok).toBe(false);
    expect(byId(report.checks, 'shims')).toMatchObject({ status: 'fail', fix: 'blastgate init' });
  }, T);

  it('recognises the shim dir on PATH through a symlink', async () => {
    const { w, dir, env, sudoers } = await installed();
    const link = join(w.root, 'shims-link');
    symlinkSync(dir, link);
    const { checks } = await doctorChecks({ env: { ...env, PATH: env.PATH!.replace(dir, link) }, sudoers });
    expect(byId(checks, 'path')?.status).toBe('ok');
  }, T);
});
