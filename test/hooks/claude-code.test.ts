// Claude Code PreToolUse: payloads shaped like the hooks reference's PreToolUse input example.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerHook } from '../../src/commands/hook.js';
import { claudeCode } from '../../src/hooks/claude-code.js';
import { makeWorld, type World } from './world.js';

let world: World;
beforeAll(() => {
  world = makeWorld();
});
afterAll(() => world.cleanup());

/** The documented PreToolUse input for the Bash tool, with our command and cwd. */
const bash = (command: string, cwd: string) =>
  JSON.stringify({
    session_id: 'abc123',
    transcript_path: '/home/user/.claude/projects/demo/00893aaf-19fa-41d2-8238-13269b9b3ca0.jsonl',
    cwd,
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command, description: 'Run a command', timeout: 120000 },
    tool_use_id: 'toolu_01ABC123',
  });

const answer = (stdin: string) => answerHook('claude-code', stdin, { env: world.env, cwd: world.project });

const decisionOf = (stdout: string) => JSON.parse(stdout) as { hookSpecificOutput: { hookEventName: string; permissionDecision: string; permissionDecisionReason: string } };

describe('claude-code hook', () => {
  it('has no opinion on a safe command: empty output, exit 0, so Claude Code’s own permission rules apply', async () => {
    expect(await answer(bash('git status', world.project))).toEqual({ stdout: '', exitCode: 0 });
  });

  it('asks the human for terraform destroy, with the rule, the target and the safer alternative', async () => {
    const out = await answer(bash('terraform destroy', world.project));
    expect(out.exitCode).toBe(0);
    const json = decisionOf(out.stdout);
    expect(json).toEqual({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'ask', permissionDecisionReason: expect.any(String) } });
    const reason = json.hookSpecificOutput.permissionDecisionReason;
    expect(reason).toContain('`terraform destroy` needs your confirmation');
    expect(reason).toContain('terraform:destroy (critical)');
    expect(reason).toMatch(/^Target: /m);
    expect(reason).toContain('Safer alternative: terraform plan -destroy');
    expect(reason).not.toContain('blastgate approve');
  });

  it('sees through bash -c: railway down -y inside it is asked about, and says where it was found', async () => {
    const json = decisionOf((await answer(bash("bash -c 'railway down -y'", world.project))).stdout);
    expect(json.hookSpecificOutput.permissionDecision).toBe('ask');
    expect(json.hookSpecificOutput.permissionDecisionReason).toContain('railway:down');
    expect(json.hookSpecificOutput.permissionDecisionReason).toContain('[found inside: bash -c]');
  });

  it('denies with the reason for the model when the project policy says deny (read from the payload’s cwd)', async () => {
    const out = await answer(bash('terraform destroy', world.strict));
    const json = decisionOf(out.stdout);
    expect(json.hookSpecificOutput.permissionDecision).toBe('deny');
    expect(json.hookSpecificOutput.permissionDecisionReason).toContain('policy denies it for an agent');
    expect(json.hookSpecificOutput.permissionDecisionReason).toContain('Do not retry it another way');
  });

  it('has no opinion on tools other than Bash', async () => {
    const write = JSON.stringify({ session_id: 'abc123', cwd: world.project, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: '/tmp/x', content: 'terraform destroy' } });
    expect(await answer(write)).toEqual({ stdout: '', exitCode: 0 });
  });

  it.each([
    ['not JSON', '{"tool_name": "Bash", '],
    ['empty', ''],
    ['a JSON array', '[]'],
    ['Bash without a command', JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: {} })],
    ['Bash with a non-string command', JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: ['terraform', 'destroy'] } })],
    ['no tool_name', JSON.stringify({ hook_event_name: 'PreToolUse', tool_input: { command: 'terraform destroy' } })],
    ['another event', JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'terraform destroy' } })],
  ])('fails closed on %s: exit 2 with the reason on stderr (Claude Code blocks and shows it)', async (_label, stdin) => {
    const out = await answer(stdin);
    expect(out.exitCode).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^blastgate refused this command because it could not check it: /);
  });

  it('parses only what it needs from the payload', () => {
    expect(claudeCode.parseRequest(JSON.parse(bash('ls', '/srv/app')))).toEqual({ command: 'ls', cwd: '/srv/app' });
    expect(claudeCode.parseRequest({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, cwd: 'relative' })).toEqual({ command: 'ls', cwd: undefined });
  });
});
