// Claude Code and Codex share one PreToolUse input shape for their shell tool ("Bash").
import { asObject, asString, HookInputError, optionalDir } from './types.js';

/** The shell command of a PreToolUse "Bash" call, or null for any other tool. */
export const parsePreToolUseBash = (json: unknown): { command: string; cwd: string | undefined } | null => {
  const o = asObject(json, 'hook input');
  if (o.hook_event_name !== undefined && o.hook_event_name !== 'PreToolUse') {
    throw new HookInputError(`hook_event_name is ${JSON.stringify(o.hook_event_name)}; configure blastgate under hooks.PreToolUse`);
  }
  if (asString(o.tool_name, 'tool_name') !== 'Bash') return null;
  const input = asObject(o.tool_input, 'tool_input');
  return { command: asString(input.command, 'tool_input.command'), cwd: optionalDir(o.cwd) };
};
