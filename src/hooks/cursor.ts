// Cursor beforeShellExecution hook (~/.cursor/hooks.json or <project>/.cursor/hooks.json).
// In: { hook_event_name: "beforeShellExecution", command, cwd, sandbox?, conversation_id, generation_id, workspace_roots, … }.
// Out: { permission: "allow" | "ask" | "deny", user_message?, agent_message? } — every answer carries a
// permission (Cursor has no documented "no opinion"; a hook set to failClosed refuses an empty answer).
// The hook only answers beforeShellExecution: any other event is a wiring mistake and is refused.
import { asObject, asString, HookInputError, optionalDir, type HookAdapter, type HookVerdict } from './types.js';

/** Why: Cursor agent's terminal commands reach blastgate through this adapter. */
export const cursor: HookAdapter = {
  name: 'cursor',
  parseRequest(json) {
    const o = asObject(json, 'hook input');
    if (o.hook_event_name !== 'beforeShellExecution') {
      throw new HookInputError(`hook_event_name is ${JSON.stringify(o.hook_event_name)}; configure blastgate under hooks.beforeShellExecution`);
    }
    return { command: asString(o.command, 'command'), cwd: optionalDir(o.cwd) };
  },
  formatResponse(v: HookVerdict) {
    if (v.decision === 'confirm') {
      return { stdout: JSON.stringify({ permission: 'ask', user_message: v.forUser, agent_message: v.forModel }), exitCode: 0 };
    }
    if (v.decision === 'deny') {
      return { stdout: JSON.stringify({ permission: 'deny', user_message: v.forUser, agent_message: v.forModel }), exitCode: 0 };
    }
    return { stdout: JSON.stringify({ permission: 'allow' }), exitCode: 0 };
  },
};
