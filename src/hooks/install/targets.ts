// Where each harness reads its hook settings, and the one entry blastgate puts there. Checked against the
// harnesses' own docs (December 2026):
// - Claude Code: ~/.claude/settings.json, <project>/.claude/settings.json, managed
//   /etc/claude-code/managed-settings.json (Linux/WSL); a command hook's `onFailure: "block"` (≥ 2.1.295)
//   makes a hook that cannot start, times out or exits unexpectedly block the call. MCP tools are
//   `mcp__<server>__<tool>`; the matcher is a regex.
// - Cursor: ~/.cursor/hooks.json, <project>/.cursor/hooks.json, enterprise /etc/cursor/hooks.json (Linux);
//   `failClosed: true` blocks on a hook failure; MCP calls arrive as `beforeMCPExecution`.
// - Gemini CLI: ~/.gemini/settings.json, <project>/.gemini/settings.json, system overrides
//   /etc/gemini-cli/settings.json; timeout in ms; MCP tools are `mcp__<server>__<tool>`. No fail-closed
//   switch: a hook that fails or times out is a warning and the call proceeds.
// - Codex: ~/.codex/hooks.json, <repo>/.codex/hooks.json, system layer /etc/codex/hooks.json (managed);
//   MCP tools are `mcp__<server>__<tool>`. No fail-closed switch (openai/codex#41979 is open).
import { join } from 'node:path';

export type Scope = 'user' | 'project' | 'system';

export interface HarnessTarget {
  name: 'claude-code' | 'cursor' | 'gemini' | 'codex';
  /** Settings file for a scope; null when the harness has no such location. */
  file(scope: Scope, home: string, project: string): string | null;
  /** Events blastgate hooks and, for matcher-style files, the matcher it uses. */
  events: Array<{ event: string; matcher?: string }>;
  /** The hook handler object for this harness, around the given command. */
  handler(command: string): Record<string, unknown>;
  /** Keys that must be in the handler for the harness to fail closed; empty when it has no such switch. */
  failClosed: Record<string, unknown>;
  /** What to tell the user when there is no fail-closed switch. */
  failOpenNote?: string;
  /** Top-level keys a fresh file starts with (Cursor wants `version: 1`). */
  skeleton?: Record<string, unknown>;
}

const TIMEOUT_S = 30;

export const HARNESS_TARGETS: Record<HarnessTarget['name'], HarnessTarget> = {
  'claude-code': {
    name: 'claude-code',
    file: (scope, home, project) =>
      scope === 'user' ? join(home, '.claude', 'settings.json') : scope === 'project' ? join(project, '.claude', 'settings.json') : '/etc/claude-code/managed-settings.json',
    events: [{ event: 'PreToolUse', matcher: 'Bash|mcp__.*' }],
    handler: (command) => ({ type: 'command', command, timeout: TIMEOUT_S, onFailure: 'block' }),
    failClosed: { onFailure: 'block' },
  },
  cursor: {
    name: 'cursor',
    file: (scope, home, project) =>
      scope === 'user' ? join(home, '.cursor', 'hooks.json') : scope === 'project' ? join(project, '.cursor', 'hooks.json') : '/etc/cursor/hooks.json',
    events: [{ event: 'beforeShellExecution' }, { event: 'beforeMCPExecution' }],
    handler: (command) => ({ command, timeout: TIMEOUT_S, failClosed: true }),
    failClosed: { failClosed: true },
    skeleton: { version: 1 },
  },
  gemini: {
    name: 'gemini',
    file: (scope, home, project) =>
      scope === 'user' ? join(home, '.gemini', 'settings.json') : scope === 'project' ? join(project, '.gemini', 'settings.json') : '/etc/gemini-cli/settings.json',
    events: [{ event: 'BeforeTool', matcher: 'run_shell_command|mcp__.*' }],
    handler: (command) => ({ name: 'blastgate', type: 'command', command, timeout: TIMEOUT_S * 1000 }),
    failClosed: {},
    failOpenNote: 'Gemini CLI has no fail-closed switch: a hook that crashes or times out lets the call through. Keep the shims on PATH (`blastgate init`).',
  },
  codex: {
    name: 'codex',
    file: (scope, home, project) =>
      scope === 'user' ? join(home, '.codex', 'hooks.json') : scope === 'project' ? join(project, '.codex', 'hooks.json') : '/etc/codex/hooks.json',
    events: [{ event: 'PreToolUse', matcher: 'Bash|mcp__.*' }],
    handler: (command) => ({ type: 'command', command, timeout: TIMEOUT_S }),
    failClosed: {},
    failOpenNote: 'Codex has no fail-closed switch: a hook that crashes or times out lets the call through. Keep the shims on PATH (`blastgate init`), and trust the hook once in `/hooks`.',
  },
};

export const HARNESS_NAMES = Object.keys(HARNESS_TARGETS) as Array<HarnessTarget['name']>;

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** POSIX shell quoting: harnesses run the hook command through `sh -c`. */
export const shellQuote = (word: string): string => (SAFE_WORD.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** The hook command: absolute node and absolute bin/blastgate.js, so PATH inside the harness does not matter. */
export const hookCommand = (node: string, bin: string, harness: string): string => `${shellQuote(node)} ${shellQuote(bin)} hook ${harness}`;

/** Is this handler command one of blastgate's hooks for this harness (any install path, old or new)? */
export const isBlastgateCommand = (command: unknown, harness: string): boolean =>
  typeof command === 'string' && /blastgate/.test(command) && new RegExp(`(^|\\s)hook\\s+${harness}(\\s|$)`).test(command);
