// One MCP tool call as each harness sends it to a pre-tool hook (checked against their docs):
// - Claude Code / Codex PreToolUse and Gemini CLI BeforeTool: tool_name `mcp__<server>__<tool>`,
//   tool_input the JSON arguments (Gemini may add mcp_context with the server's name).
// - Cursor beforeMCPExecution: tool_name (bare or `MCP:<server>:<tool>`), tool_input (object or JSON
//   text), plus the server's `url` or `command`; no server name of its own.
import { asObject, asString, HookInputError, optionalDir } from '../types.js';

export interface McpCall {
  /** The server's configured name, or null when the harness does not say (then rules match on the tool). */
  server: string | null;
  tool: string;
  /** The name as the harness gave it, for messages. */
  fullName: string;
  args: Record<string, unknown>;
  cwd?: string;
  /** Cursor: the server's URL or start command, shown to the human since the server has no name there. */
  via?: string;
}

const EXPECTED_EVENT: Record<string, string> = { 'claude-code': 'PreToolUse', codex: 'PreToolUse', gemini: 'BeforeTool', cursor: 'beforeMCPExecution' };

const splitPrefixed = (name: string): { server: string; tool: string } | null => {
  const m = /^mcp__(.+?)__(.+)$/.exec(name);
  return m ? { server: m[1]!, tool: m[2]! } : null;
};

const argsOf = (v: unknown): Record<string, unknown> => {
  if (typeof v === 'string') {
    try {
      return asObject(JSON.parse(v), 'tool_input');
    } catch (err) {
      throw err instanceof HookInputError ? err : new HookInputError('tool_input: not JSON');
    }
  }
  return v === undefined ? {} : asObject(v, 'tool_input');
};

/** Why: one reader per harness so the matcher sees the same call whoever sent it. Throws HookInputError. */
export const mcpCallOf = (harness: string, json: unknown): McpCall => {
  const o = asObject(json, 'hook input');
  const expected = EXPECTED_EVENT[harness];
  if (o.hook_event_name !== undefined && o.hook_event_name !== expected) {
    throw new HookInputError(`hook_event_name is ${JSON.stringify(o.hook_event_name)}; ${harness} sends MCP calls as ${expected}`);
  }
  const fullName = asString(o.tool_name, 'tool_name');
  const cwd = optionalDir(o.cwd) ?? (Array.isArray(o.workspace_roots) ? optionalDir(o.workspace_roots[0]) : undefined);
  const args = argsOf(o.tool_input);
  const prefixed = splitPrefixed(fullName);
  if (prefixed) return { ...prefixed, fullName, args, cwd };
  const cursorStyle = /^MCP:([^:]+):(.+)$/.exec(fullName);
  if (cursorStyle) return { server: cursorStyle[1]!, tool: cursorStyle[2]!, fullName, args, cwd };
  const via = typeof o.url === 'string' ? o.url : typeof o.command === 'string' ? o.command : undefined;
  if (via !== undefined) return { server: null, tool: fullName, fullName, args, cwd, via };
  const ctx = typeof o.mcp_context === 'object' && o.mcp_context !== null ? (o.mcp_context as Record<string, unknown>) : {};
  const server = typeof ctx.server_name === 'string' ? ctx.server_name : null;
  return { server, tool: fullName, fullName, args, cwd };
};
