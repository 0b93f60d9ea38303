// One approval for one command (issue 15 #7) and Claude Code's permission modes (issue 14): the hook opens
// the request the shim will honour and names it; a human approves it once; the command then runs at once.
// Where no human can see an `ask` (bypassPermissions, dontAsk, auto), the answer is a deny that carries the
// `blastgate approve <id>` line, and the agent's retry after the approval passes.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listPending } from '../../src/approvals/store.js';
import { answerHook } from '../../src/commands/hook.js';
import { canAskIn } from '../../src/hooks/claude-code.js';
import { blastgateArgv, gateArgv, makeSandbox, PASSPHRASE, runDetached, Terminal, type Sandbox } from '../confirm/sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

let box: Sandbox;
const terms: Terminal[] = [];
beforeEach(() => {
  box = makeSandbox();
  box.setPassphrase();
});
afterEach(() => {
  for (const t of terms.splice(0)) t.kill();
  box.cleanup();
});

const payload = (command: string, mode?: string) =>
  JSON.stringify({
    session_id: 'abc123',
    transcript_path: '/home/user/.claude/projects/demo/session.jsonl',
    cwd: box.work,
    ...(mode ? { permission_mode: mode } : {}),
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command, description: 'Drop the scratch database' },
    tool_use_id: 'toolu_01ABC123',
  });

const hook = async (command: string, mode?: string) => {
  const out = await answerHook('claude-code', payload(command, mode), { env: box.env, cwd: box.work });
  expect(out.exitCode).toBe(0);
  return JSON.parse(out.stdout) as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } };
};
const idIn = (text: string) => /`blastgate approve ([a-z0-9]{8})`/.exec(text)?.[1] ?? null;

/** The Bash tool running the command through the shim, as Claude Code's child (CLAUDECODE=1, no terminal). */
const bashTool = (argv: string[]) => runDetached(gateArgv(argv), { ...box.env, CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0' }, box.work);

const approve = async (id: string) => {
  const t = new Terminal(box.root, blastgateArgv(['approve', id]), box.env, box.root);
  terms.push(t);
  await t.answer(/Approval passphrase to approve/, PASSPHRASE);
  expect(await t.exitCode()).toBe(0);
};

describe('default mode: the ask names the request the shim will honour', () => {
  it('one approval: approve the id from the ask, choose Yes, and the shim runs the command at once', async () => {
    const asked = await hook('dropdb shop', 'default');
    expect(asked.hookSpecificOutput.permissionDecision).toBe('ask');
    const id = idIn(asked.hookSpecificOutput.permissionDecisionReason);
    expect(id).not.toBeNull();
    expect(asked.hookSpecificOutput.permissionDecisionReason).toMatch(/then choose Yes here/);
    expect(listPending(box.paths).map((p) => p.id)).toEqual([id]);

    await approve(id!);
    // The human chose Yes: Claude Code runs the Bash tool; the shim finds the approval and does not ask again.
    const ran = bashTool(['dropdb', 'shop']);
    expect(ran.stderr).not.toMatch(/blastgate approve/);
    expect(ran.code).toBe(0);
    expect(box.runs()).toEqual([['shop']]);
    expect(listPending(box.paths)).toEqual([]);
  });

  it('Yes before the approval: the shim waits on the same request id the ask named', async () => {
    const id = idIn((await hook('dropdb shop', 'default')).hookSpecificOutput.permissionDecisionReason);
    const r = bashTool(['dropdb', 'shop']);
    expect(r.code).toBe(77);
    expect(r.stderr).toContain(`blastgate approve ${id}`);
    expect(listPending(box.paths)).toHaveLength(1);
  });
});

describe.each(['bypassPermissions', 'dontAsk', 'auto'])('%s: nobody sees an ask', (mode) => {
  it('confirm becomes a deny with the approve line; after the approval the retry is allowed once and runs', async () => {
    const denied = await hook('dropdb shop', mode);
    expect(denied.hookSpecificOutput.permissionDecision).toBe('deny');
    const reason = denied.hookSpecificOutput.permissionDecisionReason;
    const id = idIn(reason);
    expect(id).not.toBeNull();
    expect(reason).toMatch(/Only a human can approve it, in their own terminal/);
    expect(reason).toMatch(/run exactly the same command again in the same directory/);
    expect(box.runs()).toEqual([]);

    await approve(id!);
    const retry = await hook('dropdb shop', mode);
    expect(retry.hookSpecificOutput).toMatchObject({ permissionDecision: 'allow', permissionDecisionReason: expect.stringContaining(`approved by a human (request ${id})`) });
    expect(bashTool(['dropdb', 'shop']).code).toBe(0);
    expect(box.runs()).toEqual([['shop']]);

    // Used: the next attempt needs a new approval.
    const again = await hook('dropdb shop', mode);
    expect(again.hookSpecificOutput.permissionDecision).toBe('deny');
    expect(idIn(again.hookSpecificOutput.permissionDecisionReason)).not.toBe(id);
  });
});

describe('without a shim in the way', () => {
  it('the hook lets one approval through once, not for the rest of its TTL', async () => {
    const id = idIn((await hook('dropdb shop', 'dontAsk')).hookSpecificOutput.permissionDecisionReason)!;
    await approve(id);
    expect((await hook('dropdb shop', 'dontAsk')).hookSpecificOutput.permissionDecision).toBe('allow');
    expect((await hook('dropdb shop', 'dontAsk')).hookSpecificOutput.permissionDecision).toBe('deny');
    expect(readdirSync(join(box.paths.stateDir, 'approvals/hook-passed'))).toHaveLength(1);
  });
});

describe('permission_mode', () => {
  it.each([
    ['default', true],
    ['acceptEdits', true],
    ['plan', true],
    [undefined, true],
    ['bypassPermissions', false],
    ['dontAsk', false],
    ['auto', false],
    ['someFutureMode', false],
  ])('%s → an ask is seen by a human: %s', (mode, seen) => {
    expect(canAskIn(mode)).toBe(seen);
    expect(canAskIn(mode, 'cli')).toBe(seen);
  });

  it.each(['sdk-cli', 'sdk-ts', 'sdk-py', 'claude-code-github-action'])('headless (CLAUDE_CODE_ENTRYPOINT=%s): nobody sees an ask, even in default mode', async (entrypoint) => {
    expect(canAskIn('default', entrypoint)).toBe(false);
    const out = await answerHook('claude-code', payload('dropdb shop', 'default'), { env: { ...box.env, CLAUDE_CODE_ENTRYPOINT: entrypoint }, cwd: box.work });
    const json = JSON.parse(out.stdout) as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } };
    expect(json.hookSpecificOutput.permissionDecision).toBe('deny');
    expect(idIn(json.hookSpecificOutput.permissionDecisionReason)).not.toBeNull();
  });
});
