// `blastgate init` / `uninstall`: shims for installed guarded tools, the rc-file block, idempotence,
// and the promise of the README: in a new shell `terraform destroy` is stopped, `terraform version` is not.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInit } from '../../src/commands/init.js';
import { runUninstall } from '../../src/commands/uninstall.js';
import { STAMP_FILE } from '../../src/shims/marker.js';
import { rcBlock } from '../../src/shims/shell-rc.js';
import { blastgate } from '../helpers/cli.js';
import { bash, makeWorld, SYSTEM_PATH, toolCalls, type ShimWorld } from '../shims/shim-sandbox.js';

const T = 60_000;

/** A world whose PATH holds fake terraform and psql (and the system dirs, without real ones of those). */
const world = (): { w: ShimWorld; env: NodeJS.ProcessEnv; dir: string; lines: string[]; out: (l: string) => void } => {
  const w = makeWorld();
  w.fake('terraform', 'psql');
  const lines: string[] = [];
  const env: NodeJS.ProcessEnv = { ...w.env, PATH: `${w.fakebin}:/usr/bin:/bin`, SHELL: '/bin/bash' };
  return { w, env, dir: join(w.env.XDG_DATA_HOME!, 'blastgate', 'shims'), lines, out: (l) => lines.push(l) };
};

const snapshot = (dir: string) =>
  Object.fromEntries(readdirSync(dir).sort().map((f) => [f, { text: readFileSync(join(dir, f), 'utf8'), mtime: statSync(join(dir, f)).mtimeMs }]));

describe('blastgate init', () => {
  it('shims the guarded tools found on PATH and adds the rc block', async () => {
    const { env, dir, lines, out } = world();
    expect(await runInit({ env, out, yes: true })).toBe(0);
    const shims = readdirSync(dir).filter((f) => !f.startsWith('.'));
    expect(shims).toEqual(expect.arrayContaining(['terraform', 'psql']));
    for (const s of shims) expect(statSync(join(dir, s)).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(env.HOME!, '.bashrc'), 'utf8')).toBe(rcBlock('bash', dir));
    // Login shells (`bash -lc`, what many agents start) read ~/.profile when there is no ~/.bash_profile.
    expect(readFileSync(join(env.HOME!, '.profile'), 'utf8')).toBe(rcBlock('bash', dir));
    expect(lines.join('\n')).toContain('~/.bashrc now puts the shims first on PATH (bash interactive shells)');
    expect(lines.join('\n')).toMatch(/hash -r/);
  }, T);

  it('is idempotent: a second run rewrites nothing and asks nothing', async () => {
    const { env, dir, out } = world();
    await runInit({ env, out, yes: true });
    const before = snapshot(dir);
    const rc = readFileSync(join(env.HOME!, '.bashrc'), 'utf8');
    const lines: string[] = [];
    let asked = false;
    await runInit({ env, out: (l) => lines.push(l), ask: async () => ((asked = true), true) });
    expect(asked).toBe(false);
    expect(snapshot(dir)).toEqual(before);
    expect(readFileSync(join(env.HOME!, '.bashrc'), 'utf8')).toBe(rc);
    expect(lines[0]).toMatch(/0 written, \d+ unchanged, 0 removed/);
    expect(lines.join('\n')).toContain('already puts the shims first on PATH');
  }, T);

  it('asks before writing anything; no (or no terminal) leaves shims and rc files alone', async () => {
    const { env, dir, lines, out } = world();
    const rcFile = join(env.HOME!, '.bashrc');
    writeFileSync(rcFile, 'alias ll="ls -l"\n');
    let question = '';
    await runInit({ env, out, ask: async (q) => ((question = q), false) });
    expect(question).toBe('Write the shims and edit ~/.bashrc, ~/.profile?');
    expect(readFileSync(rcFile, 'utf8')).toBe('alias ll="ls -l"\n');
    expect(existsSync(dir)).toBe(false);
    await runInit({ env, out, ask: async () => null });
    expect(readFileSync(rcFile, 'utf8')).toBe('alias ll="ls -l"\n');
    expect(existsSync(dir)).toBe(false);
    expect(lines.join('\n')).toContain('no terminal to ask on');
    // The plan reads as blastgate's, not as a shell's error message.
    expect(lines.join('\n')).not.toMatch(/^bash:/m);
    await runInit({ env, out, ask: async () => true });
    expect(readFileSync(rcFile, 'utf8')).toContain('alias ll="ls -l"\n\n# >>> blastgate shims >>>');
  }, T);

  it('--no-shell-rc only prints the block', async () => {
    const { env, dir, lines, out } = world();
    await runInit({ env, out, shellRc: false });
    expect(existsSync(join(env.HOME!, '.bashrc'))).toBe(false);
    expect(lines.join('\n')).toContain(rcBlock('bash', dir).trim());
  }, T);

  it('--tools chooses, every guarded tool by default (installed or not), unknown tools are refused', async () => {
    const a = world();
    await runInit({ env: a.env, out: a.out, tools: 'terraform', shellRc: false });
    expect(readdirSync(a.dir).filter((f) => !f.startsWith('.'))).toEqual(['terraform']);
    const b = world();
    await runInit({ env: b.env, out: b.out, shellRc: false });
    expect(readdirSync(b.dir)).toEqual(expect.arrayContaining(['terraform', 'psql', 'railway', 'kubectl', 'git']));
    await expect(runInit({ env: b.env, out: b.out, tools: 'terraform,nosuchtool' })).rejects.toThrow(/nosuchtool not guarded/);
  }, T);

  it('--shell writes zsh and fish blocks where those shells read them', async () => {
    const { env, dir, out } = world();
    const zdot = join(env.HOME!, 'zdot');
    mkdirSync(zdot);
    await runInit({ env: { ...env, ZDOTDIR: zdot }, out, yes: true, shell: 'zsh,fish' });
    expect(readFileSync(join(zdot, '.zshrc'), 'utf8')).toBe(rcBlock('zsh', dir));
    expect(readFileSync(join(zdot, '.zprofile'), 'utf8')).toBe(rcBlock('zsh', dir));
    expect(readFileSync(join(env.XDG_CONFIG_HOME!, 'fish', 'config.fish'), 'utf8')).toBe(rcBlock('fish', dir));
    expect(rcBlock('fish', dir)).toContain(`set -gx PATH '${dir}' $PATH`);
  }, T);

  it('the sh block puts the dir first once, however often it is sourced (bash and dash)', async () => {
    const { env, dir, out } = world();
    await runInit({ env, out, yes: true });
    for (const sh of ['/bin/bash', '/bin/dash']) {
      const r = bash(`${sh} -c '. "$HOME/.bashrc"; . "$HOME/.bashrc"; printf %s "$PATH"'`, { env });
      expect(r.stdout.toString()).toBe(`${dir}:${env.PATH}`);
    }
  }, T);

  it('uninstall removes the shims and exactly the block it added', async () => {
    const { env, dir, out } = world();
    const rcFile = join(env.HOME!, '.bashrc');
    writeFileSync(rcFile, 'export A=1\n');
    await runInit({ env, out, yes: true });
    writeFileSync(rcFile, `${readFileSync(rcFile, 'utf8')}export B=2\n`);
    const stranger = join(dir, 'not-ours');
    writeFileSync(stranger, 'keep me');
    const lines: string[] = [];
    expect(await runUninstall({ env, out: (l) => lines.push(l) })).toBe(0);
    expect(readFileSync(rcFile, 'utf8')).toBe('export A=1\nexport B=2\n');
    expect(readdirSync(dir)).toEqual(['not-ours']);
    expect(existsSync(join(dir, STAMP_FILE))).toBe(false);
    expect(lines.join('\n')).toContain('Removed the blastgate block');
    expect(existsSync(join(env.HOME!, '.profile')) ? readFileSync(join(env.HOME!, '.profile'), 'utf8') : '').toBe('');
    expect(lines.join('\n')).toMatch(/hooks.*stay in the harnesses' settings/);
  }, T);

  it('a guarded tool installed after init is guarded from its first run; before, the shell\'s "command not found"', async () => {
    const { w, env, out } = world();
    await runInit({ env, out, yes: true });
    const shims = join(env.XDG_DATA_HOME!, 'blastgate', 'shims');
    const pathWith = `${shims}:${env.PATH}`;
    const before = bash('tofu destroy -auto-approve', { env: { ...env, PATH: pathWith } });
    expect(before.code).toBe(127);
    expect(before.stderr).toBe('tofu: command not found\n');
    w.fake('tofu');
    const after = bash('tofu destroy -auto-approve', { env: { ...env, PATH: pathWith, BLASTGATE_APPROVAL_WAIT: '0' } });
    expect(after.code).toBe(77);
    expect(after.stderr).toMatch(/blastgate: tofu destroy -auto-approve not run/);
    expect(toolCalls(w).filter((a) => a.includes('destroy'))).toEqual([]);
  }, T);
});

describe('login and non-interactive shells after `blastgate init --yes`', () => {
  it('`bash -lc` and `bash -ic` find the shims; `sh -lc` (reads ~/.profile) too', async () => {
    const { env, out } = world();
    await runInit({ env, out, yes: true });
    const shim = join(env.XDG_DATA_HOME!, 'blastgate', 'shims', 'terraform');
    for (const shell of ['bash -lc', 'bash -ic', 'sh -lc']) {
      const r = bash(`${shell} 'command -v terraform' 2>/dev/null`, { env });
      expect(r.stdout.toString().trim(), shell).toBe(shim);
    }
  }, T);

  it('with a ~/.bash_profile, the block goes there (bash -l reads it instead of ~/.profile)', async () => {
    const { env, out } = world();
    writeFileSync(join(env.HOME!, '.bash_profile'), 'export X=1\n');
    await runInit({ env, out, yes: true });
    expect(readFileSync(join(env.HOME!, '.bash_profile'), 'utf8')).toContain('# >>> blastgate shims >>>');
    expect(existsSync(join(env.HOME!, '.profile'))).toBe(false);
    const r = bash(`bash -lc 'command -v terraform'`, { env });
    expect(r.stdout.toString().trim()).toBe(join(env.XDG_DATA_HOME!, 'blastgate', 'shims', 'terraform'));
  }, T);
});

describe('after `blastgate init --yes`, in a new interactive bash', () => {
  it('`terraform destroy` exits 77 before terraform starts; `terraform version` runs untouched', () => {
    const w = makeWorld();
    w.fake('terraform');
    const env: NodeJS.ProcessEnv = { ...w.env, PATH: `${w.fakebin}:${SYSTEM_PATH}`, SHELL: '/bin/bash', BLASTGATE_APPROVAL_WAIT: '0', TERM: 'dumb' };
    const init = blastgate(['init', '--yes'], { env });
    expect(init.code, init.stderr).toBe(0);
    const r = bash('bash -i -c "terraform destroy; echo rc=\\$?; terraform version; echo rc=\\$?" 2>&1', { env, cwd: w.root });
    const out = r.stdout.toString();
    expect(out).toContain('rc=77');
    expect(out).toMatch(/blastgate: terraform destroy not run/);
    // (the blast-radius resolver may run `terraform state list`; terraform never ran `destroy`)
    expect(toolCalls(w).filter((argv) => argv.includes('destroy'))).toEqual([]);
    expect(toolCalls(w).at(-1)).toEqual(['version']);
    expect(out).toMatch(/rc=77[\s\S]*rc=0/);
  }, T);

  const hasTerraform = SYSTEM_PATH.split(':').some((d) => existsSync(join(d, 'terraform')));
  it.runIf(hasTerraform)('with the real terraform: `terraform version` prints what it prints without blastgate', () => {
    const w = makeWorld();
    const env: NodeJS.ProcessEnv = { ...w.env, PATH: SYSTEM_PATH, SHELL: '/bin/bash', TERM: 'dumb', CHECKPOINT_DISABLE: '1' };
    expect(blastgate(['init', '--yes', '--tools', 'terraform'], { env }).code).toBe(0);
    const direct = bash('terraform version', { env, cwd: w.root });
    const shimmed = bash('bash -i -c "type -P terraform; terraform version" 2>/dev/null', { env, cwd: w.root });
    const [where, ...rest] = shimmed.stdout.toString().split('\n');
    expect(where).toBe(join(env.XDG_DATA_HOME!, 'blastgate', 'shims', 'terraform'));
    expect(rest.join('\n')).toBe(direct.stdout.toString());
  }, T);
});

describe('the shim dir and symlinks', () => {
  it('init into a --dir reached through a symlink still never resolves to a shim', async () => {
    const { w, env, out } = world();
    const realDir = join(w.root, 'real-shims');
    mkdirSync(realDir);
    const link = join(w.root, 'link-shims');
    symlinkSync(realDir, link);
    await runInit({ env, out, dir: link, tools: 'terraform', shellRc: false });
    const r = bash('terraform version', { env: { ...env, PATH: `${realDir}:${link}:${env.PATH}` } });
    expect(r.code).toBe(0);
    expect(toolCalls(w)).toEqual([['version']]);
  }, T);
});
