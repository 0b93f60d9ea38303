// Claude Code PreToolUse hook (settings.json `hooks.PreToolUse`, matcher "Bash").
// In: { hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command, description?, … }, cwd, session_id, … }.
// Out: nothing (no opinion: Claude Code's own permission rules decide), or
// { hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "ask" | "deny", permissionDecisionReason } }.
// "ask" shows the reason to the human in the permission prompt; "deny" sends it to the model.
import { asObject, asString, HookInputError, optionalDir, type HookAdapter, type HookVerdict } from './types.js';

const decisionJson = (permissionDecision: 'ask' | 'deny', permissionDecisionReason: string) =>
  JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision, permissionDecisionReason } });

/** Why: Claude Code's Bash tool calls reach blastgate through this adapter. */
export const claudeCode: HookAdapter = {
  name: 'claude-code',
  parseRequest(json) {
    const o = asObject(json, 'hook input');
    if (o.hook_event_name !== undefined && o.hook_event_name !== 'PreToolUse') {
      throw new HookInputError(`hook_event_name is ${JSON.stringify(o.hook_event_name)}; configure blastgate under hooks.PreToolUse`);
    }
    if (asString(o.tool_name, 'tool_name') !== 'Bash') return null;
    const input = asObject(o.tool_input, 'tool_input');
    return { command: asString(input.command, 'tool_input.command'), cwd: optionalDir(o.cwd) };
  },
  formatResponse(v: HookVerdict) {
    if (v.decision === 'confirm') return { stdout: decisionJson('ask', v.forUser), exitCode: 0 };
    if (v.decision === 'deny') return { stdout: decisionJson('deny', v.forModel), exitCode: 0 };
    return { stdout: '', exitCode: 0 };
  },
};
