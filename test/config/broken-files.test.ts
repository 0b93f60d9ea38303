// Issue 15 #1/#2 and 16 "Smaller": one malformed user file must not stop the safe commands of other tools,
// must not let its own tool's dangerous commands through, and is reported in one line with file and line.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { blastgate, sandbox, type Sandbox } from '../helpers/cli.js';

vi.setConfig({ testTimeout: 60_000 });

const boxes: Sandbox[] = [];
const box = () => {
  const s = sandbox({ BLASTGATE_APPROVAL_WAIT: '0' });
  boxes.push(s);
  return s;
};
afterEach(() => {
  for (const s of boxes.splice(0)) rmSync(s.root, { recursive: true, force: true });
});
const userFile = (s: Sandbox, rel: string, text: string) => {
  const file = join(s.env.XDG_CONFIG_HOME!, 'blastgate', rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
};
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at /);

const BROKEN_TF = 'tool: terraform\nbinaries: [terraform]\nrules:\n  - id: terraform:mine\n    severity: high\n   message: x\n';

describe('a malformed user ruleset', () => {
  it('safe commands of other tools run; its own tool needs confirmation with a line naming the file, the line and `rules test`', () => {
    const s = box();
    const file = userFile(s, 'rules/broken.yaml', BROKEN_TF);
    const git = blastgate(['run', '--', 'git', '--version'], { env: s.env });
    expect(git.code, git.stderr).toBe(0);
    expect(git.stdout).toMatch(/^git version/);
    const agent = { ...s.env, CLAUDECODE: '1' };
    const tf = blastgate(['run', '--', 'terraform', 'version'], { env: agent });
    expect(tf.code).toBe(77);
    expect(tf.stderr).toContain(`${file}:6: YAML error`);
    expect(tf.stderr).toContain(`blastgate rules test ${file}`);
    noStack(tf.stderr);
  });

  it('the hook still answers: no opinion on git status, ask on terraform naming the file', () => {
    const s = box();
    userFile(s, 'rules/broken.yaml', BROKEN_TF);
    const ask = (command: string) => blastgate(['hook', 'claude-code'], { env: s.env, input: JSON.stringify({ tool_name: 'Bash', tool_input: { command } }) });
    const safe = ask('git status');
    expect(safe.code).toBe(0);
    expect(safe.stdout).not.toMatch(/"permissionDecision"/);
    const tf = ask('terraform version');
    expect(tf.code).toBe(0);
    expect(tf.stdout).toMatch(/"permissionDecision":"(ask|deny)".*broken\.yaml:6/);
  });

  it('`doctor` runs and names it; `rules test FILE` and `check` exit 2 naming file and line', () => {
    const s = box();
    const file = userFile(s, 'rules/broken.yaml', BROKEN_TF);
    const doctor = blastgate(['doctor'], { env: s.env });
    expect(doctor.stdout).toMatch(/broken\.yaml:6: YAML error.*set aside/);
    expect(doctor.stdout).toContain(`fix: blastgate rules test ${file}`);
    const test = blastgate(['rules', 'test', file], { env: s.env });
    expect(test.code).toBe(2);
    expect(test.stderr.trim().split('\n')).toHaveLength(1);
    expect(test.stderr).toContain(`${file}:6:`);
    const check = blastgate(['check', '--', 'git', 'status'], { env: s.env });
    expect(check.code).toBe(2);
    expect(check.stderr).toContain(`${file}:6:`);
  });

  it('`rules/x.yaml` that is a directory: one line, exit 2 from check; git still runs', () => {
    const s = box();
    mkdirSync(join(s.env.XDG_CONFIG_HOME!, 'blastgate', 'rules', 'x.yaml'), { recursive: true });
    const check = blastgate(['check', '--', 'git', 'status'], { env: s.env });
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(/x\.yaml: cannot read ruleset \(EISDIR\)/);
    noStack(check.stderr);
    expect(blastgate(['run', '--', 'git', '--version'], { env: s.env }).code).toBe(0);
  });
});

describe('a malformed user config', () => {
  it.each([
    ['decisions: 5', 'decisions: 5\n', /config\.yaml:1: decisions: expected a mapping, got 5/],
    ['a YAML alias bomb', `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n`, /config\.yaml:1: YAML error: .*alias/i],
    ['a typo in a rule id', 'rules:\n  git:reset-hardd: deny\n', /config\.yaml:2: rules: unknown rule id "git:reset-hardd" \(nearest: git:reset-hard\)/],
  ])('%s: check exits 2 with one line naming the file; safe commands still run', (_what, text, message) => {
    const s = box();
    const file = userFile(s, 'config.yaml', text);
    const check = blastgate(['check', '--', 'git', 'status'], { env: s.env });
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(message);
    expect(check.stderr.trim().split('\n')).toHaveLength(1);
    const test = blastgate(['rules', 'test', file], { env: s.env });
    expect(test.code).toBe(2);
    expect(test.stderr).toMatch(message);
    const git = blastgate(['run', '--', 'git', '--version'], { env: s.env });
    expect(git.code, git.stderr).toBe(0);
  });

  it('while it is broken, a command a rule matches needs confirmation, naming the file', () => {
    const s = box();
    userFile(s, 'config.yaml', 'decisions: 5\n');
    const r = blastgate(['run', '--', 'git', 'reset', '--hard'], { env: { ...s.env, CLAUDECODE: '1' } });
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(/config\.yaml:1: decisions: expected a mapping/);
  });
});
