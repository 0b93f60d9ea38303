// MCP tool calls through `hook install` + the adapters: each harness's documented MCP payload shape,
// written to the hook command `hook install` put in the settings file and run as the harness runs it.
// Railway's volume deletion is stopped with its blast radius; SQL in a database server's argument goes
// through the SQL analyzer; tools no rule concerns get no opinion; unreadable input is refused.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blastgate, sandbox, type Sandbox } from '../helpers/cli.js';

const T = 60_000;
let b: Sandbox;
const commands: Record<string, string> = {};

beforeAll(() => {
  b = sandbox();
  const home = b.env.HOME!;
  for (const h of ['claude-code', 'cursor', 'gemini', 'codex']) expect(blastgate(['hook', 'install', h], { env: b.env }).code).toBe(0);
  const json = (p: string) => JSON.parse(readFileSync(join(home, p), 'utf8'));
  commands['claude-code'] = json('.claude/settings.json').hooks.PreToolUse[0].hooks[0].command;
  commands.cursor = json('.cursor/hooks.json').hooks.beforeMCPExecution[0].command;
  commands.gemini = json('.gemini/settings.json').hooks.BeforeTool[0].hooks[0].command;
  commands.codex = json('.codex/hooks.json').hooks.PreToolUse[0].hooks[0].command;
}, T);
afterAll(() => rmSync(b.root, { recursive: true, force: true }));

const call = (harness: string, payload: unknown) => {
  const r = spawnSync('/bin/sh', ['-c', commands[harness]!], { input: JSON.stringify(payload), env: { ...b.env, PATH: '/nonexistent' }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const claude = (tool: string, input: unknown) =>
  call('claude-code', { session_id: 's1', transcript_path: '/tmp/t.jsonl', cwd: b.root, permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: tool, tool_input: input });

describe('MCP tool calls through the installed hooks', () => {
  it('Claude Code: Railway volume deletion asks, naming the volume, the lost backups and the safer way', () => {
    const r = claude('mcp__railway__volume_delete', { volumeId: 'vol_9f2' });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout).hookSpecificOutput;
    expect(out.permissionDecision).toBe('ask');
    expect(out.permissionDecisionReason).toContain('railway:mcp-volume-delete (critical)');
    expect(out.permissionDecisionReason).toContain('Target: railway vol_9f2');
    expect(out.permissionDecisionReason).toContain('Backups: deleted; irreversible: yes');
    expect(out.permissionDecisionReason).toMatch(/Safer alternative: snapshot the volume/);
  }, T);

  it('Claude Code: a remove_volume-style tool on a production environment is stopped the same way', () => {
    const out = JSON.parse(claude('mcp__Railway__remove_volume', { volumeId: 'vol_1', environmentId: 'production' }).stdout).hookSpecificOutput;
    expect(['ask', 'deny']).toContain(out.permissionDecision);
    expect(out.permissionDecisionReason).toContain('PRODUCTION');
  }, T);

  it('Claude Code: SQL in a PostgreSQL server\'s query argument goes through the SQL analyzer', () => {
    const drop = JSON.parse(claude('mcp__postgres__query', { sql: 'BEGIN; DROP TABLE orders; COMMIT;' }).stdout).hookSpecificOutput;
    expect(drop.permissionDecision).toBe('ask');
    expect(drop.permissionDecisionReason).toContain('psql:mcp-drop-table (high): DROP TABLE orders');
    expect(claude('mcp__postgres__query', { sql: 'SELECT id, total FROM orders WHERE id = 1' })).toMatchObject({ code: 0, stdout: '' });
    const unreadable = JSON.parse(claude('mcp__postgres__query', { sql: 'DROP garbage ((' }).stdout).hookSpecificOutput;
    expect(unreadable.permissionDecision).toBe('ask');
    expect(unreadable.permissionDecisionReason).toContain('cannot judge');
  }, T);

  it('Claude Code in bypassPermissions (no human sees an ask): the volume deletion is refused, and the model is told to hand it to the user', () => {
    const r = call('claude-code', { session_id: 's1', cwd: b.root, permission_mode: 'bypassPermissions', hook_event_name: 'PreToolUse', tool_name: 'mcp__railway__volume_delete', tool_input: { volumeId: 'vol_9f2' } });
    const out = JSON.parse(r.stdout).hookSpecificOutput;
    expect(out.permissionDecision).toBe('deny');
    expect(out.permissionDecisionReason).toContain('vol_9f2');
    expect(out.permissionDecisionReason).toMatch(/ask the user to run it themselves/);
  }, T);

  it('GitHub\'s MCP server: deleting a repository asks with owner/repo', () => {
    const out = JSON.parse(claude('mcp__github__delete_repository', { owner: 'acme', repo: 'shop' }).stdout).hookSpecificOutput;
    expect(out.permissionDecision).toBe('ask');
    expect(out.permissionDecisionReason).toContain('deletes GitHub repository acme/shop');
  }, T);

  it('an MCP tool no rule concerns gets no opinion', () => {
    expect(claude('mcp__notion__search', { query: 'roadmap' })).toMatchObject({ code: 0, stdout: '' });
    expect(claude('mcp__railway__list_projects', {})).toMatchObject({ code: 0, stdout: '' });
  }, T);

  it('Cursor beforeMCPExecution (bare tool name, tool_input as JSON text) gets permission ask with the finding', () => {
    const r = call('cursor', {
      hook_event_name: 'beforeMCPExecution', conversation_id: 'c', generation_id: 'g', workspace_roots: [b.root],
      tool_name: 'execute_sql', tool_input: JSON.stringify({ project_id: 'shop', query: 'TRUNCATE users' }), command: 'npx -y @supabase/mcp-server-supabase',
    });
    const out = JSON.parse(r.stdout);
    expect(out.permission).toBe('ask');
    expect(out.user_message).toContain('TRUNCATE users');
    expect(out.user_message).toContain('server: npx -y @supabase/mcp-server-supabase');
    const safe = call('cursor', { hook_event_name: 'beforeMCPExecution', conversation_id: 'c', generation_id: 'g', workspace_roots: [b.root], tool_name: 'database_query', tool_input: { query: 'SELECT * FROM users' }, url: 'http://localhost:3000' });
    expect(JSON.parse(safe.stdout)).toEqual({ permission: 'allow' });
  }, T);

  it('Gemini CLI BeforeTool with an mcp__ tool name asks; Codex, which cannot ask, denies', () => {
    const g = JSON.parse(call('gemini', { session_id: 's', transcript_path: '/t', cwd: b.root, hook_event_name: 'BeforeTool', timestamp: '2026-12-06T00:00:00Z', tool_name: 'mcp__railway__project_delete', tool_input: { projectId: 'p_shop' }, mcp_context: { server_name: 'railway' } }).stdout);
    expect(g.decision).toBe('ask');
    expect(g.systemMessage).toContain('railway:mcp-project-delete');
    const c = JSON.parse(call('codex', { session_id: 's', turn_id: 't', cwd: b.root, hook_event_name: 'PreToolUse', tool_name: 'mcp__railway__service_delete', tool_input: { projectId: 'p1', serviceId: 'svc_api' } }).stdout).hookSpecificOutput;
    expect(c.permissionDecision).toBe('deny');
    expect(c.permissionDecisionReason).toContain('svc_api');
  }, T);

  it('a user ruleset\'s mcp rule (the README snippet) stops the tool it names, and only that one', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## MCP tool calls\n'), readme.indexOf('\n## System install\n'));
    const snippet = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    mkdirSync(join(b.env.XDG_CONFIG_HOME!, 'blastgate', 'rules'), { recursive: true });
    writeFileSync(join(b.env.XDG_CONFIG_HOME!, 'blastgate', 'rules', 'notion.yaml'), snippet);
    try {
      const out = JSON.parse(claude('mcp__notion__delete_page', { page_id: 'roadmap-2027' }).stdout).hookSpecificOutput;
      expect(out.permissionDecision).toBe('ask');
      expect(out.permissionDecisionReason).toContain('notion:mcp-delete-page (high): deletes Notion page roadmap-2027');
      expect(claude('mcp__notion__search', { query: 'roadmap' })).toMatchObject({ code: 0, stdout: '' });
    } finally {
      rmSync(join(b.env.XDG_CONFIG_HOME!, 'blastgate', 'rules'), { recursive: true, force: true });
    }
  }, T);

  it('an MCP payload blastgate cannot read is refused (exit 2), never let through', () => {
    const r = claude('mcp__railway__volume_delete', 'not json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('could not check it');
  }, T);
});
