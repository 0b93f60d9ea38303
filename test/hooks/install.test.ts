// `blastgate hook install|uninstall`: the harness's own settings file gains exactly one fail-closed
// blastgate hook, keeps everything else, is backed up and written atomically; the hook it writes answers
// each harness's documented example payload even with an empty PATH.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyFile } from '../../src/approvals/keys.js';
import { writeKeyFile } from '../../src/approvals/key-store.js';
import { doctorChecks } from '../../src/commands/doctor.js';
import { blastgate, sandbox, type Sandbox } from '../helpers/cli.js';

const T = 60_000;
const boxes: Sandbox[] = [];
const box = () => {
  const b = sandbox();
  boxes.push(b);
  return b;
};
afterEach(() => {
  for (const b of boxes.splice(0)) rmSync(b.root, { recursive: true, force: true });
});

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;

/** Run the hook command exactly as the harness would: `sh -c <command>`, payload on stdin, no PATH at all. */
const runAsHarness = (command: string, payload: unknown, b: Sandbox) => {
  const env = { ...b.env, PATH: '/nonexistent' };
  const r = spawnSync('/bin/sh', ['-c', command], { input: JSON.stringify(payload), env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const userSettings = (b: Sandbox) => join(b.env.HOME!, '.claude', 'settings.json');

const ORIGINAL = {
  model: 'opus',
  permissions: { allow: ['Bash(npm test)'], deny: ['Read(./.env)'] },
  hooks: {
    PreToolUse: [{ matcher: 'Write', hooks: [{ type: 'command', command: '/usr/local/bin/lint-guard', timeout: 5 }] }],
    PostToolUse: [{ matcher: 'Edit', hooks: [{ type: 'command', command: 'prettier --write' }] }],
  },
};

describe('blastgate hook install claude-code', () => {
  it('adds one fail-closed hook, keeps every other setting, backs up the original, and a second run changes nothing', () => {
    const b = box();
    const file = userSettings(b);
    mkdirSync(join(b.env.HOME!, '.claude'), { recursive: true });
    const originalText = JSON.stringify(ORIGINAL, null, 4);
    writeFileSync(file, originalText);

    const first = blastgate(['hook', 'install', 'claude-code'], { env: b.env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('+             "onFailure": "block"');
    const after = readJson(file);
    expect(after.model).toBe('opus');
    expect(after.permissions).toEqual(ORIGINAL.permissions);
    expect(after.hooks.PostToolUse).toEqual(ORIGINAL.hooks.PostToolUse);
    expect(after.hooks.PreToolUse[0]).toEqual(ORIGINAL.hooks.PreToolUse[0]);
    expect(after.hooks.PreToolUse).toHaveLength(2);
    const entry = after.hooks.PreToolUse[1];
    expect(entry.matcher).toBe('Bash|mcp__.*');
    expect(entry.hooks).toEqual([{ type: 'command', command: expect.stringMatching(/^\/\S*node \/\S+\/bin\/blastgate\.js hook claude-code$/), timeout: 30, onFailure: 'block' }]);

    const backups = readdirSync(join(b.env.HOME!, '.claude')).filter((f) => f.startsWith('settings.json.blastgate-backup-'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(b.env.HOME!, '.claude', backups[0]!), 'utf8')).toBe(originalText);

    const written = readFileSync(file, 'utf8');
    const second = blastgate(['hook', 'install', 'claude-code'], { env: b.env });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('nothing to change');
    expect(readFileSync(file, 'utf8')).toBe(written);
    expect(readdirSync(join(b.env.HOME!, '.claude')).filter((f) => f.includes('backup'))).toHaveLength(1);
  }, T);

  it('writes a hook that answers Claude Code\'s documented PreToolUse payload with an empty PATH', () => {
    const b = box();
    expect(blastgate(['hook', 'install', 'claude-code'], { env: b.env }).code).toBe(0);
    const command = readJson(userSettings(b)).hooks.PreToolUse[0].hooks[0].command as string;
    const base = { session_id: 'abc123', transcript_path: '/tmp/t.jsonl', cwd: b.root, permission_mode: 'default', hook_event_name: 'PreToolUse' };
    const stopped = runAsHarness(command, { ...base, tool_name: 'Bash', tool_input: { command: 'terraform destroy -auto-approve', description: 'tear down' } }, b);
    expect(stopped.code, stopped.stderr).toBe(0);
    const answer = JSON.parse(stopped.stdout).hookSpecificOutput;
    expect(['ask', 'deny']).toContain(answer.permissionDecision);
    expect(answer.permissionDecisionReason).toContain('terraform');
    const safe = runAsHarness(command, { ...base, tool_name: 'Bash', tool_input: { command: 'ls -la' } }, b);
    expect(safe).toMatchObject({ code: 0, stdout: '' });
  }, T);

  it('upgrades the README\'s hand-written entry in place instead of adding a second one', () => {
    const b = box();
    const file = userSettings(b);
    mkdirSync(join(b.env.HOME!, '.claude'), { recursive: true });
    writeFileSync(file, JSON.stringify({ hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'blastgate hook claude-code', timeout: 30 }] }] } }));
    expect(blastgate(['hook', 'install', 'claude-code'], { env: b.env }).code).toBe(0);
    const groups = readJson(file).hooks.PreToolUse;
    expect(groups).toHaveLength(1);
    expect(groups[0].hooks).toHaveLength(1);
    expect(groups[0].hooks[0].onFailure).toBe('block');
  }, T);

  it('refuses a malformed settings file with exit 2 naming it and its line, and writes nothing', () => {
    const b = box();
    const dir = join(b.env.HOME!, '.claude');
    mkdirSync(dir, { recursive: true });
    const broken = '{\n  "model": "opus",\n  "hooks": {,}\n}\n';
    writeFileSync(join(dir, 'settings.json'), broken);
    const r = blastgate(['hook', 'install', 'claude-code'], { env: b.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${join(dir, 'settings.json').replace(/[.]/g, '\\.')}:3: not valid JSON`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(broken);
    expect(readdirSync(dir)).toEqual(['settings.json']);
  }, T);

  it('--dry-run prints the diff and writes nothing', () => {
    const b = box();
    const r = blastgate(['hook', 'install', 'claude-code', '--dry-run'], { env: b.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"onFailure": "block"');
    expect(existsSync(userSettings(b))).toBe(false);
  }, T);
});

describe('blastgate hook install cursor', () => {
  it('hooks shell and MCP calls with failClosed in the project file, and answers Cursor\'s documented payloads', () => {
    const b = box();
    const project = join(b.root, 'project');
    mkdirSync(join(project, '.cursor'), { recursive: true });
    writeFileSync(join(project, '.cursor', 'hooks.json'), JSON.stringify({ version: 1, hooks: { afterFileEdit: [{ command: './format.sh' }] } }));
    const r = blastgate(['hook', 'install', 'cursor', '--project'], { env: b.env, cwd: project });
    expect(r.code, r.stderr).toBe(0);
    const data = readJson(join(project, '.cursor', 'hooks.json'));
    expect(data.version).toBe(1);
    expect(data.hooks.afterFileEdit).toEqual([{ command: './format.sh' }]);
    for (const event of ['beforeShellExecution', 'beforeMCPExecution']) {
      expect(data.hooks[event]).toEqual([{ command: expect.stringContaining('hook cursor'), timeout: 30, failClosed: true }]);
    }
    const command = data.hooks.beforeShellExecution[0].command as string;
    const common = { conversation_id: 'conv-123', generation_id: 'gen-456', workspace_roots: [project] };
    const shell = runAsHarness(command, { ...common, hook_event_name: 'beforeShellExecution', command: 'railway volume delete --volume pgdata', cwd: project }, b);
    expect(['ask', 'deny']).toContain(JSON.parse(shell.stdout).permission);
    const safe = runAsHarness(command, { ...common, hook_event_name: 'beforeShellExecution', command: 'npm install express', cwd: project }, b);
    expect(JSON.parse(safe.stdout)).toEqual({ permission: 'allow' });
  }, T);
});

describe('blastgate hook install gemini / codex', () => {
  it('says in one line that the harness has no fail-closed switch', () => {
    const b = box();
    const g = blastgate(['hook', 'install', 'gemini'], { env: b.env });
    expect(g.stdout).toMatch(/^Gemini CLI has no fail-closed switch: .*shims/m);
    expect(readJson(join(b.env.HOME!, '.gemini', 'settings.json')).hooks.BeforeTool[0]).toEqual({
      matcher: 'run_shell_command|mcp__.*',
      hooks: [{ name: 'blastgate', type: 'command', command: expect.stringContaining('hook gemini'), timeout: 30000 }],
    });
    const c = blastgate(['hook', 'install', 'codex'], { env: b.env });
    expect(c.stdout).toMatch(/^Codex has no fail-closed switch: /m);
    const command = readJson(join(b.env.HOME!, '.codex', 'hooks.json')).hooks.PreToolUse[0].hooks[0].command as string;
    const codexCall = { session_id: 's', turn_id: 't', cwd: b.root, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'psql -c "DROP TABLE orders"' } };
    const answer = JSON.parse(runAsHarness(command, codexCall, b).stdout).hookSpecificOutput;
    expect(answer.permissionDecision).toBe('deny');
  }, T);
});

describe('blastgate hook uninstall', () => {
  it('removes only blastgate\'s entry and leaves the user\'s hooks', () => {
    const b = box();
    const file = userSettings(b);
    mkdirSync(join(b.env.HOME!, '.claude'), { recursive: true });
    writeFileSync(file, JSON.stringify(ORIGINAL));
    expect(blastgate(['hook', 'install', 'claude-code'], { env: b.env }).code).toBe(0);
    const r = blastgate(['hook', 'uninstall', 'claude-code'], { env: b.env });
    expect(r.code, r.stderr).toBe(0);
    expect(readJson(file)).toEqual(ORIGINAL);
  }, T);

  it('once a passphrase is set, refuses without a terminal and leaves the hook in place', () => {
    const b = box();
    expect(blastgate(['hook', 'install', 'claude-code'], { env: b.env }).code).toBe(0);
    writeKeyFile(join(b.env.XDG_CONFIG_HOME!, 'blastgate', 'approval-key.json'), createKeyFile('correct horse battery'), 'user');
    const before = readFileSync(userSettings(b), 'utf8');
    // setsid: no controlling terminal, like an agent's tool call
    const r = spawnSync('setsid', ['-w', process.execPath, join(import.meta.dirname, '..', '..', 'bin', 'blastgate.js'), 'hook', 'uninstall', 'claude-code'], { env: b.env, encoding: 'utf8' });
    expect(r.status).toBe(77);
    expect(r.stderr).toMatch(/weakens the gate.*passphrase/);
    expect(readFileSync(userSettings(b), 'utf8')).toBe(before);
  }, T);
});

describe('doctor and harness hooks', () => {
  it('fails when an installed hook was dropped or lost its fail-closed switch', async () => {
    const b = box();
    const file = userSettings(b);
    expect(blastgate(['hook', 'install', 'claude-code'], { env: b.env }).code).toBe(0);
    let { checks } = await doctorChecks({ env: b.env });
    expect(checks.find((c) => c.id === 'hook:claude-code:user')?.status).toBe('ok');

    const data = readJson(file);
    delete data.hooks.PreToolUse[0].hooks[0].onFailure;
    writeFileSync(file, JSON.stringify(data));
    ({ checks } = await doctorChecks({ env: b.env }));
    expect(checks.find((c) => c.id === 'hook:claude-code:user')).toMatchObject({ status: 'fail', message: expect.stringContaining('without onFailure'), fix: 'blastgate hook install claude-code' });

    writeFileSync(file, JSON.stringify({ model: 'opus' }));
    ({ checks } = await doctorChecks({ env: b.env }));
    expect(checks.find((c) => c.id === 'hook:claude-code:user')).toMatchObject({ status: 'fail', message: expect.stringContaining('dropped') });
  }, T);
});
