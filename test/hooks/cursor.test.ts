// Cursor beforeShellExecution: payloads shaped like Cursor's hooks docs (common fields + command, cwd, sandbox).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerHook } from '../../src/commands/hook.js';
import { makeWorld, type World } from './world.js';

let world: World;
beforeAll(() => {
  world = makeWorld();
});
afterAll(() => world.cleanup());

const shell = (command: string, cwd: string) =>
  JSON.stringify({
    conversation_id: 'conv-123',
    generation_id: 'gen-456',
    model: 'claude-sonnet',
    hook_event_name: 'beforeShellExecution',
    cursor_version: '2.0.77',
    workspace_roots: [cwd],
    user_email: 'user@example.com',
    command,
    cwd,
    sandbox: false,
  });

const answer = (stdin: string) => answerHook('cursor', stdin, { env: world.env, cwd: world.project });

describe('cursor hook', () => {
  it('allows a safe command with the only pass answer Cursor documents: {"permission":"allow"}', async () => {
    const out = await answer(shell('git status', world.project));
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ permission: 'allow' });
  });

  it('asks for terraform destroy: the human sees the blast radius, the model is told why it waits', async () => {
    const out = await answer(shell('terraform destroy', world.project));
    expect(out.exitCode).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json).toEqual({ permission: 'ask', user_message: expect.any(String), agent_message: expect.any(String) });
    expect(json.user_message).toContain('needs your confirmation');
    expect(json.user_message).toContain('terraform:destroy (critical)');
    expect(json.user_message).toContain('Safer alternative: terraform plan -destroy');
    expect(json.agent_message).toContain("needs a human's confirmation");
    expect(`${json.user_message}${json.agent_message}`).not.toContain('blastgate approve');
  });

  it("asks for bash -c 'railway down -y'", async () => {
    const json = JSON.parse((await answer(shell("bash -c 'railway down -y'", world.project))).stdout);
    expect(json.permission).toBe('ask');
    expect(json.user_message).toContain('railway:down');
  });

  it('denies when policy denies, with the reason in both messages', async () => {
    const json = JSON.parse((await answer(shell("bash -c 'railway down -y'", world.strict))).stdout);
    expect(json).toEqual({ permission: 'deny', user_message: expect.stringContaining('railway:down'), agent_message: expect.stringContaining('policy denies it') });
  });

  it('refuses (exit 2) when wired to any other event: a Cursor payload without a shell command is a setup mistake', async () => {
    const read = JSON.stringify({ conversation_id: 'c', generation_id: 'g', hook_event_name: 'beforeReadFile', workspace_roots: [world.project], file_path: '/x/.env', content: 'A=1' });
    const out = await answer(read);
    expect(out.exitCode).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('configure blastgate under hooks.beforeShellExecution');
  });

  it.each([
    ['not JSON', 'command=terraform destroy'],
    ['no command', JSON.stringify({ hook_event_name: 'beforeShellExecution', cwd: '/tmp' })],
    ['a numeric command', JSON.stringify({ hook_event_name: 'beforeShellExecution', command: 42 })],
  ])('fails closed on %s: exit 2 (Cursor: "block the action") with the reason on stderr', async (_label, stdin) => {
    const out = await answer(stdin);
    expect(out).toEqual({ stdout: '', stderr: expect.stringMatching(/^blastgate refused this command/), exitCode: 2 });
  });
});
