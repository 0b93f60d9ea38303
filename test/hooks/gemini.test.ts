// Gemini CLI BeforeTool: payloads shaped like docs/hooks/reference.md (base input + tool_name, tool_input).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerHook } from '../../src/commands/hook.js';
import { gemini } from '../../src/hooks/gemini.js';
import { makeWorld, type World } from './world.js';

let world: World;
beforeAll(() => {
  world = makeWorld();
});
afterAll(() => world.cleanup());

const tool = (tool_name: string, tool_input: Record<string, unknown>, cwd: string) =>
  JSON.stringify({
    session_id: 'b0c5a6e2-session',
    transcript_path: '/home/user/.gemini/tmp/abc/chats/session.json',
    cwd,
    hook_event_name: 'BeforeTool',
    timestamp: '2026-08-21T10:00:00.000Z',
    tool_name,
    tool_input,
  });

const shell = (command: string, cwd: string, extra: Record<string, unknown> = {}) => tool('run_shell_command', { command, description: 'Run it', ...extra }, cwd);

const answer = (stdin: string) => answerHook('gemini', stdin, { env: world.env, cwd: world.project });

describe('gemini hook', () => {
  it('is silent on a safe command (no stdout, no stderr: Gemini would read stderr as the answer)', async () => {
    expect(await answer(shell('git status', world.project))).toEqual({ stdout: '', exitCode: 0 });
  });

  it('forces the confirmation dialog for terraform destroy, showing the blast radius as the system message', async () => {
    const out = await answer(shell('terraform destroy', world.project));
    expect(out.exitCode).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json).toEqual({ decision: 'ask', systemMessage: expect.any(String) });
    expect(json.systemMessage).toContain('terraform:destroy (critical)');
    expect(json.systemMessage).toContain('Safer alternative: terraform plan -destroy');
    expect(json.systemMessage).not.toContain('blastgate approve');
  });

  it("asks for bash -c 'railway down -y'", async () => {
    expect(JSON.parse((await answer(shell("bash -c 'railway down -y'", world.project))).stdout).decision).toBe('ask');
  });

  it('denies with a reason for the model when policy denies', async () => {
    const json = JSON.parse((await answer(shell('terraform destroy', world.strict))).stdout);
    expect(json).toEqual({ decision: 'deny', reason: expect.stringContaining('terraform:destroy') });
  });

  it('judges the command where Gemini runs it: dir_path, relative to the project', async () => {
    const json = JSON.parse((await answer(shell('terraform destroy', world.root, { dir_path: 'strict' }))).stdout);
    expect(json.decision).toBe('deny');
    expect(gemini.parseRequest(JSON.parse(shell('ls', '/work', { dir_path: 'sub/dir' })))).toEqual({ command: 'ls', cwd: '/work/sub/dir' });
    expect(gemini.parseRequest(JSON.parse(shell('ls', '/work', { dir_path: '/elsewhere' })))).toEqual({ command: 'ls', cwd: '/elsewhere' });
  });

  it('has no opinion on other tools', async () => {
    expect(await answer(tool('read_file', { file_path: 'main.tf' }, world.project))).toEqual({ stdout: '', exitCode: 0 });
  });

  it.each([
    ['not JSON', 'BeforeTool run_shell_command'],
    ['no tool_input', JSON.stringify({ hook_event_name: 'BeforeTool', tool_name: 'run_shell_command' })],
    ['another event', JSON.stringify({ hook_event_name: 'AfterTool', tool_name: 'run_shell_command', tool_input: { command: 'ls' } })],
  ])('fails closed on %s: exit 2 ("System Block", stderr is the reason)', async (_label, stdin) => {
    const out = await answer(stdin);
    expect(out).toEqual({ stdout: '', stderr: expect.stringMatching(/^blastgate refused this command/), exitCode: 2 });
  });
});
