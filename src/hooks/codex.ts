// Codex CLI PreToolUse hook (~/.codex/hooks.json or [hooks] in config.toml, matcher "Bash").
// In: { hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command }, cwd, session_id, turn_id, … }
// (shell and unified exec both arrive as "Bash"; apply_patch and MCP tools have other names).
// Out: nothing (no opinion), or { hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny",
// permissionDecisionReason } }. Codex parses "ask" and "allow" but rejects them as unsupported and then
// runs the command (codex-rs/hooks/src/engine/output_parser.rs), so a needed confirmation is sent as a
// deny that tells the model to hand the command to the user.
import { parsePreToolUseBash } from './pre-tool-use.js';
import type { HookAdapter, HookVerdict } from './types.js';

const deny = (permissionDecisionReason: string) =>
  JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason } });

/** Why: Codex's shell tool calls reach blastgate through this adapter. */
export const codex: HookAdapter = {
  name: 'codex',
  parseRequest: parsePreToolUseBash,
  formatResponse(v: HookVerdict) {
    if (v.decision === 'confirm') return { stdout: deny(v.forModelCannotAsk), exitCode: 0 };
    if (v.decision === 'deny') return { stdout: deny(v.forModel), exitCode: 0 };
    return { stdout: '', exitCode: 0 };
  },
};
