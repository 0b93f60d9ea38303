// Gemini CLI BeforeTool hook (settings.json `hooks.BeforeTool`, matcher "run_shell_command").
// In: { hook_event_name: "BeforeTool", tool_name: "run_shell_command", tool_input: { command, dir_path?, … }, cwd, … }.
// Out: nothing (no opinion), { decision: "ask", systemMessage } (forces Gemini's confirmation dialog, which
// shows the message; Gemini CLI ≥ 0.36.0), or { decision: "deny", reason } (reason goes to the model).
// Never write to stderr on the quiet path: with empty stdout Gemini parses stderr as the hook's answer.
import { isAbsolute, resolve } from 'node:path';
import { asObject, asString, HookInputError, optionalDir, type HookAdapter, type HookVerdict } from './types.js';

/** Gemini runs the command in `dir_path` (relative to the project) when the model gives one. */
const commandDir = (cwd: string | undefined, dirPath: unknown): string | undefined => {
  if (typeof dirPath !== 'string' || dirPath === '') return cwd;
  if (isAbsolute(dirPath)) return dirPath;
  return cwd ? resolve(cwd, dirPath) : undefined;
};

/** Why: Gemini CLI's run_shell_command calls reach blastgate through this adapter. */
export const gemini: HookAdapter = {
  name: 'gemini',
  parseRequest(json) {
    const o = asObject(json, 'hook input');
    if (o.hook_event_name !== undefined && o.hook_event_name !== 'BeforeTool') {
      throw new HookInputError(`hook_event_name is ${JSON.stringify(o.hook_event_name)}; configure blastgate under hooks.BeforeTool`);
    }
    if (asString(o.tool_name, 'tool_name') !== 'run_shell_command') return null;
    const input = asObject(o.tool_input, 'tool_input');
    return { command: asString(input.command, 'tool_input.command'), cwd: commandDir(optionalDir(o.cwd), input.dir_path) };
  },
  formatResponse(v: HookVerdict) {
    if (v.decision === 'confirm') return { stdout: JSON.stringify({ decision: 'ask', systemMessage: v.forUser }), exitCode: 0 };
    if (v.decision === 'deny') return { stdout: JSON.stringify({ decision: 'deny', reason: v.forModel }), exitCode: 0 };
    return { stdout: '', exitCode: 0 };
  },
};
