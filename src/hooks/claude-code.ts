// Claude Code PreToolUse hook (settings.json `hooks.PreToolUse`, matcher "Bash").
// In: { hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command, description?, … }, cwd, session_id, … }.
// Out: nothing (no opinion: Claude Code's own permission rules decide), or
// { hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "ask" | "deny", permissionDecisionReason } }.
// "ask" shows the reason to the human in the permission prompt; "deny" sends it to the model.
import { parsePreToolUseBash } from './pre-tool-use.js';
import type { HookAdapter, HookVerdict } from './types.js';

const decisionJson = (permissionDecision: 'ask' | 'deny', permissionDecisionReason: string) =>
  JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision, permissionDecisionReason } });

/** Why: Claude Code's Bash tool calls reach blastgate through this adapter. */
export const claudeCode: HookAdapter = {
  name: 'claude-code',
  parseRequest: parsePreToolUseBash,
  formatResponse(v: HookVerdict) {
    if (v.decision === 'confirm') return { stdout: decisionJson('ask', v.forUser), exitCode: 0 };
    if (v.decision === 'deny') return { stdout: decisionJson('deny', v.forModel), exitCode: 0 };
    return { stdout: '', exitCode: 0 };
  },
};
