// The `check` contract: exit codes, the JSON shape, and clear errors (README "Exit codes and JSON").
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blastgate, sandbox } from '../helpers/cli.js';

const json = (stdout: string) => JSON.parse(stdout) as { decision: string; severity: string | null; matches: Array<{ rule: string; severity: string; message: string }>; target: unknown; blast: Record<string, unknown>; commands: Array<{ argv: string[] }> };

describe('blastgate check', () => {
  it('terraform -chdir=infra destroy -auto-approve needs confirmation (exit 10) and names the rule', () => {
    const r = blastgate(['check', '--json', '--', 'terraform', '-chdir=infra', 'destroy', '-auto-approve']);
    expect(r.code).toBe(10);
    const v = json(r.stdout);
    expect(v.decision).toBe('confirm');
    expect(v.matches.map((m) => m.rule)).toContain('terraform:destroy');
    expect(Object.keys(v).slice(0, 6)).toEqual(['decision', 'severity', 'matches', 'target', 'blast', 'commands']);
    expect(v.commands[0]!.argv).toEqual(['terraform', '-chdir=infra', 'destroy', '-auto-approve']);
  });

  it('terraform plan -destroy is allowed (exit 0)', () => {
    expect(blastgate(['check', '--', 'terraform', 'plan', '-destroy']).code).toBe(0);
  });

  it('sees through sudo, env TF_CLI_ARGS_apply and bash -lc', () => {
    const r = blastgate(['check', '--json', '--shell', "sudo -E env TF_CLI_ARGS_apply=-destroy bash -lc 'cd infra && terraform apply -auto-approve'"]);
    expect(r.code).not.toBe(0);
    expect(json(r.stdout).decision).not.toBe('allow');
  });

  it('a command name inside a quoted string is just text', () => {
    expect(blastgate(['check', '--shell', 'echo "terraform destroy" > notes.txt']).code).toBe(0);
  });

  it('checks every command of a script, from a file or stdin', () => {
    const s = sandbox();
    const script = join(s.root, 'deploy.sh');
    writeFileSync(script, '#!/bin/bash\nset -e\nterraform init\nterraform plan -out plan.tfplan\ngit push --force origin main\n');
    const fromFile = blastgate(['check', '--json', '--script', script], { env: s.env });
    expect(fromFile.code).toBe(10);
    expect(json(fromFile.stdout).matches.map((m) => m.rule)).toContain('git:force-push-protected');
    expect(blastgate(['check', '--script', '-'], { env: s.env, input: 'terraform fmt\nterraform validate\n' }).code).toBe(0);
  });

  it('an agent is asked where a human is not (medium severity)', () => {
    const s = sandbox();
    expect(blastgate(['check', '--', 'git', 'reset', '--hard'], { env: s.env }).code).toBe(0);
    expect(blastgate(['check', '--actor', 'agent', '--', 'git', 'reset', '--hard'], { env: s.env }).code).toBe(10);
    expect(blastgate(['check', '--', 'git', 'reset', '--hard'], { env: { ...s.env, CLAUDECODE: '1' } }).code).toBe(10);
  });

  it('--actor human cannot make a detected agent a human', () => {
    const s = sandbox({ CLAUDECODE: '1' });
    expect(blastgate(['check', '--actor', 'human', '--', 'git', 'reset', '--hard'], { env: s.env }).code).toBe(10);
  });

  it('a policy deny gives exit 11', () => {
    const s = sandbox();
    mkdirSync(join(s.env.XDG_CONFIG_HOME!, 'blastgate'), { recursive: true });
    writeFileSync(join(s.env.XDG_CONFIG_HOME!, 'blastgate', 'config.yaml'), 'rules:\n  "terraform:*": deny\n');
    expect(blastgate(['check', '--', 'terraform', 'destroy'], { env: s.env }).code).toBe(11);
  });

  it('follows `cd DIR &&` to read a SQL file named relative to it', () => {
    const s = sandbox();
    mkdirSync(join(s.root, 'infra'));
    writeFileSync(join(s.root, 'infra', 'drop.sql'), 'DROP TABLE orders;\n');
    writeFileSync(join(s.root, 'select.sql'), 'SELECT 1;\n');
    const r = blastgate(['check', '--json', '--shell', 'cd infra && psql -f drop.sql'], { env: s.env, cwd: s.root });
    expect(r.code).toBe(10);
    expect(json(r.stdout).matches.map((m) => m.rule)).toContain('psql:drop-table');
  });

  it('an unparseable line is never allowed', () => {
    const r = blastgate(['check', '--json', '--shell', "terraform destroy 'unclosed"]);
    expect(r.code).toBe(10);
    expect(json(r.stdout).decision).toBe('confirm');
  });

  it.each([
    [['check', '--bogus'], /unknown option '--bogus'/],
    [['check', '--shell', 'x', '--', 'terraform'], /give exactly one of/],
    [['check', '--script', '/nonexistent/x.sh'], /--script \/nonexistent\/x\.sh: cannot read \(ENOENT\)/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('usage error %j → exit 2 with one clear line', (args, message) => {
    const r = blastgate(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^blastgate: /);
  });

  it('a broken user ruleset is exit 2 naming file and line; nothing is allowed silently', () => {
    const s = sandbox();
    const dir = join(s.env.XDG_CONFIG_HOME!, 'blastgate', 'rules');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'mine.yaml'), "tool: mine\nbinaries: [mine]\nrules:\n  - id: mine:x\n    severity: high\n    message: m\n    match: { args: '(' }\n    examples: { match: [mine x] }\n");
    const r = blastgate(['check', '--', 'terraform', 'destroy'], { env: s.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mine\.yaml:7: rules\[0\]\.match\.args: broken regex/);
  });

  it('--version and --help work', () => {
    expect(blastgate(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = blastgate(['check', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:/);
  });
});

describe('blastgate explain', () => {
  it('shows the stages that led to the verdict', () => {
    const r = blastgate(['explain', '--shell', "sudo bash -c 'terraform destroy'"]);
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(/unwrap .*peeled: sudo, bash -c/);
    expect(r.stdout).toMatch(/ruleset terraform: .*terraform:destroy/);
  });
});

describe('blastgate rules', () => {
  it('test FILE runs a user file\'s examples and fails on a wrong one', () => {
    const s = sandbox();
    const file = join(s.root, 'mine.yaml');
    writeFileSync(file, 'tool: deploy\nbinaries: [deploy]\nrules:\n  - id: deploy:prod\n    severity: high\n    message: Deploys to production.\n    match: { command: [prod] }\n    examples:\n      match: [deploy prod, deploy staging]\n      no-match: [deploy dev]\n');
    const r = blastgate(['rules', 'test', file], { env: s.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAIL deploy:prod: expected match: deploy staging/);
    expect(r.stdout).toMatch(/2 passed, 1 failed/);
  });

  it('list shows built-in rules', () => {
    const r = blastgate(['rules', 'list', '--json']);
    expect(r.code).toBe(0);
    const ids = (JSON.parse(r.stdout) as Array<{ id: string }>).map((x) => x.id);
    expect(ids).toEqual(expect.arrayContaining(['terraform:destroy', 'git:reset-hard', 'rm:recursive-root-or-home']));
  });
});
