// `blastgate hook <harness>` as a whole: dispatch by harness, stdout/stderr/exit, the audit line, a real process.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { answerHook, HOOK_HARNESSES, runHook } from '../../src/commands/hook.js';
import { makeWorld, type World } from '../hooks/world.js';

let world: World;
beforeAll(() => {
  world = makeWorld();
});

const claudeBash = (command: string, cwd: string) => JSON.stringify({ session_id: 's', cwd, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command }, tool_use_id: 't' });

describe('blastgate hook', () => {
  it('knows the four harnesses and refuses an unknown one with a usage error', async () => {
    expect(HOOK_HARNESSES).toEqual(['claude-code', 'cursor', 'gemini', 'codex']);
    const out = await answerHook('copilot', '{}', { env: world.env });
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toBe('blastgate: hook: unknown harness "copilot" (known: claude-code, cursor, gemini, codex)\n');
    expect((await answerHook('__proto__', '{}', { env: world.env })).exitCode).toBe(2);
  });

  it('writes the answer to stdout and returns the exit code', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runHook('claude-code', { stdin: claudeBash('terraform destroy', world.project), env: world.env, out: (t) => out.push(t), err: (t) => err.push(t) });
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!).hookSpecificOutput.permissionDecision).toBe('ask');
  });

  it('a broken user config neither crashes the hook nor stops safe commands; a matched command is asked about, naming the file', async () => {
    const broken = makeWorld();
    mkdirSync(join(broken.env.XDG_CONFIG_HOME, 'blastgate'), { recursive: true });
    writeFileSync(join(broken.env.XDG_CONFIG_HOME, 'blastgate', 'config.json'), '{"rules": {"terraform:destroy": "maybe"}}');
    const safe = await answerHook('claude-code', claudeBash('git status', broken.project), { env: broken.env });
    expect(safe.exitCode).toBe(0);
    expect(safe.stdout).not.toMatch(/permissionDecision/);
    const risky = await answerHook('claude-code', claudeBash('git reset --hard', broken.project), { env: broken.env });
    expect(risky.exitCode).toBe(0);
    expect(risky.stdout).toMatch(/"permissionDecision":"(ask|deny)".*config\.json/);
  });

  it('records asks and denials in the audit log, not safe commands', async () => {
    const w = makeWorld();
    await answerHook('claude-code', claudeBash('git status', w.project), { env: w.env });
    await answerHook('codex', JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'terraform destroy' }, cwd: w.strict }), { env: w.env });
    const lines = readFileSync(join(w.env.XDG_STATE_HOME, 'blastgate', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ kind: 'decision', actor: 'agent', decision: 'deny', rules: ['terraform:destroy'], argv: ['terraform destroy'], cwd: w.strict });
    expect(lines[0].reason).toMatch(/^codex hook: /);
  });

  it('end to end: a node process reads the payload from stdin and answers on stdout', () => {
    const hook = pathToFileURL(join(import.meta.dirname, '..', '..', 'src', 'commands', 'hook.ts')).href;
    const script = `import(${JSON.stringify(hook)}).then((m) => m.runHook('claude-code')).then((code) => { process.exitCode = code; });`;
    const run = (stdin: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { input: stdin, env: world.env, cwd: join(import.meta.dirname, '..', '..'), encoding: 'utf8', timeout: 30_000 });

    const asked = run(claudeBash("bash -c 'railway down -y'", world.project));
    expect(asked.status, asked.stderr).toBe(0);
    expect(JSON.parse(asked.stdout).hookSpecificOutput).toMatchObject({ hookEventName: 'PreToolUse', permissionDecision: 'ask' });

    const safe = run(claudeBash('git status', world.project));
    expect([safe.status, safe.stdout, safe.stderr]).toEqual([0, '', '']);

    const garbage = run('{{{');
    expect(garbage.status).toBe(2);
    expect(garbage.stdout).toBe('');
    expect(garbage.stderr).toContain('is not JSON');
  }, 90_000);
});
