// Codex CLI PreToolUse: payloads shaped like codex-rs/hooks/schema/generated/pre-tool-use.command.input.schema.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerHook } from '../../src/commands/hook.js';
import { makeWorld, type World } from './world.js';

let world: World;
beforeAll(() => {
  world = makeWorld();
});
afterAll(() => world.cleanup());

const call = (tool_name: string, command: string, cwd: string) =>
  JSON.stringify({
    session_id: '019a1f5e-thread',
    turn_id: 'turn-1',
    transcript_path: null,
    cwd,
    hook_event_name: 'PreToolUse',
    model: 'gpt-5',
    permission_mode: 'default',
    tool_name,
    tool_input: { command },
    tool_use_id: 'call_abc123',
  });

const answer = (stdin: string) => answerHook('codex', stdin, { env: world.env, cwd: world.project });

const denyOf = (stdout: string) => JSON.parse(stdout) as { hookSpecificOutput: { hookEventName: string; permissionDecision: string; permissionDecisionReason: string } };

describe('codex hook', () => {
  it('has no opinion on a safe command (Codex rejects a bare "allow" as unsupported)', async () => {
    expect(await answer(call('Bash', 'git status', world.project))).toEqual({ stdout: '', exitCode: 0 });
  });

  it('turns a needed confirmation into a deny (Codex cannot ask) that sends the model to the user', async () => {
    const out = await answer(call('Bash', 'terraform destroy', world.project));
    expect(out.exitCode).toBe(0);
    const json = denyOf(out.stdout);
    expect(json).toEqual({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: expect.any(String) } });
    const reason = json.hookSpecificOutput.permissionDecisionReason;
    expect(reason).toContain("needs a human's confirmation, which an agent cannot give");
    expect(reason).toContain('ask the user to run it themselves');
    expect(reason).toContain('terraform:destroy (critical)');
    expect(reason).toContain('Safer alternative: terraform plan -destroy');
    expect(reason).not.toContain('blastgate approve');
  });

  it("stops bash -c 'railway down -y' the same way", async () => {
    const json = denyOf((await answer(call('Bash', "bash -c 'railway down -y'", world.project))).stdout);
    expect(json.hookSpecificOutput.permissionDecision).toBe('deny');
    expect(json.hookSpecificOutput.permissionDecisionReason).toContain('railway:down');
  });

  it('denies by policy with the policy reason', async () => {
    const json = denyOf((await answer(call('Bash', 'terraform destroy', world.strict))).stdout);
    expect(json.hookSpecificOutput.permissionDecisionReason).toContain('policy denies it for an agent');
  });

  it('has no opinion on apply_patch or MCP tools', async () => {
    expect(await answer(call('apply_patch', '*** Begin Patch\n*** Delete File: main.tf\n*** End Patch', world.project))).toEqual({ stdout: '', exitCode: 0 });
    expect(await answer(call('mcp__fs__read', 'x', world.project))).toEqual({ stdout: '', exitCode: 0 });
  });

  it.each([
    ['not JSON', 'terraform destroy'],
    ['a null tool_input', JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: null })],
  ])('fails closed on %s: exit 2 with a blocking reason on stderr', async (_label, stdin) => {
    const out = await answer(stdin);
    expect(out).toEqual({ stdout: '', stderr: expect.stringMatching(/^blastgate refused this command/), exitCode: 2 });
  });
});
