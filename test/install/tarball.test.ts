// What a new user gets from `npm install -g <tarball>`: no install-script warnings, no native build,
// a small install, and a blastgate whose lazily loaded parsers (bash grammar, PostgreSQL) still work.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
let work: string;
let prefix: string;
let installOutput: string;

const sizeOf = (path: string): number => {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, f) => n + sizeOf(join(path, f)), 0);
};

const blastgate = (args: string[]) =>
  spawnSync(join(prefix, 'bin', 'blastgate'), args, { cwd: work, encoding: 'utf8', env: { ...process.env, HOME: work, XDG_CONFIG_HOME: '', XDG_STATE_HOME: '', XDG_DATA_HOME: '', CLAUDECODE: '' } });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bg-tarball-'));
  prefix = join(work, 'prefix');
  // `npm test` built dist/ already; packing with scripts would rebuild it under the other test files' feet.
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!;
  const result = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(work, packed)], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'warn' },
  });
  installOutput = `${result.stdout}\n${result.stderr}`;
  expect(result.status, installOutput).toBe(0);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm install -g <tarball>', () => {
  it('prints no warning the user has to think about (no install scripts anywhere)', () => {
    expect(installOutput).not.toMatch(/install-scripts|npm warn|gyp/i);
  });

  it('installs in at most 15 MB, without the native grammar sources', () => {
    const pkg = join(prefix, 'lib', 'node_modules', 'blastgate');
    expect(sizeOf(pkg)).toBeLessThan(15 * 1024 * 1024);
    expect(() => statSync(join(pkg, 'node_modules', 'tree-sitter-bash'))).toThrow();
  });

  it('the installed blastgate parses bash constructs and SQL with the shipped grammars', () => {
    const loop = blastgate(['check', '--shell', 'for i in 1; do terraform destroy -auto-approve; done']);
    expect(loop.status, loop.stderr).toBe(10);
    expect(loop.stdout).toContain('terraform:destroy');
    const sql = blastgate(['check', '--json', '--', 'psql', '-h', 'db.invalid', '-c', 'DROP TABLE orders']);
    expect(JSON.parse(sql.stdout).matches.map((m: { rule: string }) => m.rule)).toContain('psql:drop-table');
    const version = blastgate(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
