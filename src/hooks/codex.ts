// Codex CLI PreToolUse hook (~/.codex/hooks.json or [hooks] in config.toml, matcher "Bash").
// In: { hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command }, cwd, session_id, turn_id, … }
// (shell and unified exec both arrive as "Bash"; apply_patch and MCP tools have other names).
// Out: nothing (no opinion), or { hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny",
// permissionDecisionReason } }. Codex parses "ask" and "allow" but rejects them as unsupported and then
// runs the command (codex-rs/hooks/src/engine/output_parser.rs), so a needed confirmation is sent as a
// deny that tells the model to hand the command to the user.
import { asObject, asString, HookInputError, optionalDir, type HookAdapter, type HookVerdict } from './types.js';

const deny = (permissionDecisionReason: string) =>
  JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason } });

/** Why: Codex's shell tool calls reach blastgate through this adapter. */
export const codex: HookAdapter = {
  name: 'codex',
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
    if (v.decision === 'confirm') return { stdout: deny(v.forModelCannotAsk), exitCode: 0 };
    if (v.decision === 'deny') return { stdout: deny(v.forModel), exitCode: 0 };
    return { stdout: '', exitCode: 0 };
  },
};
