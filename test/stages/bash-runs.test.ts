// Issue 16, "the check and the hook say allow for commands bash runs": the hook answers for the lines the
// fuzzer found, and a NUL byte cannot hide a command from `check --script` that real bash runs.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, test } from 'vitest';
import { answerHook } from '../../src/commands/hook.js';
import { makeWorld } from '../hooks/world.js';
import { blastgate, sandbox } from '../helpers/cli.js';

const world = makeWorld();
afterAll(() => rmSync(world.root, { recursive: true, force: true }));

const claudeBash = (command: string) =>
  JSON.stringify({ session_id: 's', cwd: world.project, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, tool_use_id: 't' });

describe('the hook has an opinion on what bash runs', () => {
  test.each([
    '! if true; then terraform destroy -auto-approve; fi',
    'time for x in 1; do terraform destroy -auto-approve; done',
    '! ! TF_CLI_ARGS=-destroy terraform apply',
    "npx sh -c 'terraform destroy -auto-approve'",
    "pnpm dlx sh -c 'terraform destroy -auto-approve'",
    "bunx sh -c 'terraform destroy -auto-approve'",
    'source <(echo terraform destroy -auto-approve)',
  ])('%s → ask, not allow', async (command) => {
    const out = await answerHook('claude-code', claudeBash(command), { env: world.env });
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout).hookSpecificOutput.permissionDecision).toBe('ask');
  });

  it('stays silent (no opinion: the harness proceeds) for an ordinary negated command', async () => {
    const out = await answerHook('claude-code', claudeBash('! grep -q TODO README.md'), { env: world.env });
    expect(out).toEqual({ stdout: '', exitCode: 0 });
  });
});

describe('NUL bytes are removed before parsing, as bash does', () => {
  it('a script where a NUL hides `terraform destroy` is refused by check --script, and bash really runs it', () => {
    const box = sandbox();
    const bin = join(box.root, 'bin');
    mkdirSync(bin);
    const log = join(box.root, 'ran.log');
    writeFileSync(join(bin, 'terraform'), `#!/bin/sh\necho "terraform $*" >> ${log}\n`);
    chmodSync(join(bin, 'terraform'), 0o755);
    const script = join(box.root, 's.sh');
    writeFileSync(script, Buffer.from('echo start\nterra\u0000form destroy -auto-approve\n', 'latin1'));
    execFileSync('bash', [script], { env: { PATH: `${bin}:/usr/bin:/bin` }, stdio: 'ignore' });
    expect(readFileSync(log, 'utf8')).toBe('terraform destroy -auto-approve\n');
    const check = blastgate(['check', '--script', script], { env: box.env, cwd: box.root });
    expect(check.code).toBe(10);
    expect(check.stdout).toContain('terraform:destroy');
    rmSync(box.root, { recursive: true, force: true });
  });
});

describe('check shows where a remote command runs', () => {
  it('names the pod for kubectl exec, and says which unknowns count only for an agent', () => {
    const box = sandbox();
    const remote = blastgate(['check', '--shell', 'kubectl exec -n prod api-0 -- terraform destroy -auto-approve'], { env: box.env, cwd: box.root });
    expect(remote.code).toBe(10);
    expect(remote.stdout).toContain('runs in: pod api-0 (namespace prod)');
    const closed = blastgate(['check', '--shell', 'systemd-run --user ./deploy.sh'], { env: box.env, cwd: box.root });
    expect(closed.code).toBe(0);
    expect(closed.stdout).toContain('(counts for an AI agent only)');
    const agent = blastgate(['check', '--actor', 'agent', '--shell', 'systemd-run --user ./deploy.sh'], { env: box.env, cwd: box.root });
    expect(agent.code).toBe(10);
    rmSync(box.root, { recursive: true, force: true });
  });
});
