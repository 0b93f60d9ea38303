// The cheap test every hook call passes through: is this payload an MCP tool call? (Statically bundled
// with the hook entry; the MCP matcher itself loads only when the answer is yes.)

/** Claude Code, Codex, Gemini CLI: `mcp__<server>__<tool>`; Cursor: the `beforeMCPExecution` event. */
export const looksLikeMcpCall = (json: unknown): boolean => {
  if (typeof json !== 'object' || json === null) return false;
  const o = json as Record<string, unknown>;
  return o.hook_event_name === 'beforeMCPExecution' || (typeof o.tool_name === 'string' && o.tool_name.startsWith('mcp__'));
};
