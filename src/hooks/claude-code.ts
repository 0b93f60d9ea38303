// Claude Code PreToolUse hook (settings.json `hooks.PreToolUse`, matcher "Bash").
// In: { hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command, description?, … }, cwd, session_id,
// permission_mode: "default" | "plan" | "acceptEdits" | "auto" | "dontAsk" | "bypassPermissions", … }.
// Out: nothing (no opinion: Claude Code's own permission rules decide), or
// { hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "allow" | "ask" | "deny", permissionDecisionReason } }.
// "ask" shows the reason to the human in the permission prompt; "deny" sends it to the model; "allow" skips the prompt.
// In bypassPermissions, dontAsk and auto, and in headless runs, no human sees an `ask` (it is approved, refused or judged by a classifier),
// so a needed confirmation becomes a deny that carries the `blastgate approve <id>` line: the human approves
// out of band and the agent's retry passes.
import { parsePreToolUseBash } from './pre-tool-use.js';
import type { HookAdapter, HookVerdict, ShellRequest } from './types.js';

/** Modes in which Claude Code shows a hook's `ask` to the human (hooks reference, "permission_mode"). */
const ASKING_MODES: ReadonlySet<string> = new Set(['default', 'acceptEdits', 'plan']);

const decisionJson = (permissionDecision: 'allow' | 'ask' | 'deny', permissionDecisionReason: string) =>
  JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision, permissionDecisionReason } });

/**
 * Absent (older Claude Code) is the interactive default; any other unknown mode is treated as "nobody sees
 * it". A headless run (`claude -p`, the Agent SDK, CI actions) has no permission prompt either: Claude Code
 * sets CLAUDE_CODE_ENTRYPOINT in its own environment, which its hooks inherit — `cli` only when interactive.
 */
export const canAskIn = (mode: unknown, entrypoint?: string): boolean =>
  (entrypoint === undefined || entrypoint === 'cli') && (mode === undefined || (typeof mode === 'string' && ASKING_MODES.has(mode)));

/** Why: Claude Code's Bash tool calls reach blastgate through this adapter. */
export const claudeCode: HookAdapter = {
  name: 'claude-code',
  parseRequest(json, env = {}): ShellRequest | null {
    const request = parsePreToolUseBash(json);
    if (!request) return null;
    const mode = (json as Record<string, unknown>).permission_mode;
    return canAskIn(mode, env.CLAUDE_CODE_ENTRYPOINT) ? request : { ...request, canAsk: false };
  },
  formatResponse(v: HookVerdict) {
    if (v.decision === 'confirm') return { stdout: v.canAsk === false ? decisionJson('deny', v.forModelCannotAsk) : decisionJson('ask', v.forUser), exitCode: 0 };
    if (v.decision === 'deny') return { stdout: decisionJson('deny', v.forModel), exitCode: 0 };
    // An allow with words is an approval a human already gave: skip Claude Code's own prompt for it.
    if (v.decision === 'allow' && v.forUser) return { stdout: decisionJson('allow', v.forUser), exitCode: 0 };
    return { stdout: '', exitCode: 0 };
  },
};
