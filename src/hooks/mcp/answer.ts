// `blastgate hook <harness>` for an MCP tool call: the call's rules → decide → the harness's own answer.
// Loaded only when the payload is an MCP call. No rule concerns the tool → no opinion.
import { loadEngine } from '../../engine.js';
import { blastOf, decide } from '../../stages/decide.js';
import type { Verdict } from '../../types.js';
import { canAskIn } from '../claude-code.js';
import { describeVerdict } from '../reason.js';
import type { HookAdapter, HookOutput, HookVerdict } from '../types.js';
import { mcpCallOf, type McpCall } from './call.js';
import { matchMcpCall, type McpRuleOf } from './match.js';

const NO_OPINION: HookVerdict = { decision: 'none', forUser: '', forModel: '', forModelCannotAsk: '' };
const MAX_ARGS = 200;

/** `mcp__railway__volume_delete {"volumeId":"vol_1"}`: what the messages call this call. */
export const mcpLabel = (call: McpCall): string => {
  const args = JSON.stringify(call.args);
  return `${call.fullName} ${args.length > MAX_ARGS ? `${args.slice(0, MAX_ARGS - 1)}…` : args}`;
};

export interface McpAnswerOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** The verdict on one MCP call, or null when no rule concerns it. */
export const judgeMcpCall = async (call: McpCall, opts: McpAnswerOptions): Promise<{ verdict: Verdict; engine: Awaited<ReturnType<typeof loadEngine>> } | null> => {
  const engine = await loadEngine({ env: opts.env, cwd: call.cwd ?? opts.cwd, actor: 'agent' });
  const rules: McpRuleOf[] = engine.index.rulesets.flatMap((s) => (s.mcp ?? []).map((rule) => ({ rule, tool: s.tool })));
  const { matches, unknowns, target } = await matchMcpCall(call, rules, { cwd: engine.cwd, env: engine.env });
  if (matches.length === 0 && unknowns.length === 0) return null;
  const decided = decide({ matches, unknowns, target, actor: engine.actor.actor, policy: engine.policy });
  const verdict: Verdict = {
    decision: decided.decision,
    severity: decided.severity,
    matches,
    target,
    blast: blastOf(matches, target, decided.production),
    commands: [{ argv: [call.fullName, JSON.stringify(call.args)], program: call.fullName, wrappers: [] }],
    unknowns,
    actor: engine.actor.actor,
    reason: decided.reason,
    trace: [{ stage: 'decide', actor: engine.actor.actor, actorReason: engine.actor.reason, production: decided.production, decision: decided.decision, reason: decided.reason }],
  };
  return { verdict, engine };
};

/** Why: the hook's MCP door; `refuse` is the hook's own fail-closed answer for unreadable input. */
export const answerMcpHook = async (harness: string, adapter: HookAdapter, json: unknown, opts: McpAnswerOptions, refuse: (why: string) => HookOutput): Promise<HookOutput> => {
  let call: McpCall;
  try {
    call = mcpCallOf(harness, json);
  } catch (err) {
    return refuse(`unexpected ${harness} MCP hook input: ${(err as Error).message}`);
  }
  const judged = await judgeMcpCall(call, opts);
  if (!judged) return adapter.formatResponse(NO_OPINION);
  const { verdict, engine } = judged;
  if (verdict.decision !== 'allow') {
    try {
      const { appendAudit } = await import('../../stages/audit.js');
      await appendAudit(engine, { kind: 'decision', verdict, argv: verdict.commands[0]!.argv, cwd: engine.cwd, decision: verdict.decision, reason: `${harness} hook (MCP): ${verdict.reason}` });
    } catch {
      // the log is a record, not a gate
    }
  }
  if (verdict.decision === 'allow') return adapter.formatResponse(NO_OPINION);
  // Claude Code modes where nobody sees an `ask` turn a confirmation into a refusal, as for shell calls.
  // (MCP calls get no pending `blastgate approve` request: an approval binds an argv, and this is none.)
  const canAsk = harness === 'claude-code' ? canAskIn((json as Record<string, unknown>).permission_mode, (opts.env ?? process.env).CLAUDE_CODE_ENTRYPOINT) : true;
  return adapter.formatResponse({ ...describeVerdict(mcpLabel(call), verdict), canAsk });
};
