// `blastgate hook <harness>`: answer one agent harness's pre-tool-use hook (JSON on stdin) from the real
// engine. The caller is an agent by definition. Nothing here throws: a payload or setup blastgate cannot
// read is answered with a refusal, never with silence that a harness would take as "go ahead".
import { fstatSync, readFileSync } from 'node:fs';
import { writeFd } from '../io/write-fd.js';
import { loadEngine, type Engine } from '../engine.js';
import { EXIT, isBlastgateError } from '../errors.js';
import { claudeCode } from '../hooks/claude-code.js';
import { codex } from '../hooks/codex.js';
import { cursor } from '../hooks/cursor.js';
import { gemini } from '../hooks/gemini.js';
import { looksLikeMcpCall } from '../hooks/mcp/detect.js';
import { describeVerdict, refusalText, withApprovalNews } from '../hooks/reason.js';
import { HookInputError, type HookAdapter, type HookOutput, type HookVerdict } from '../hooks/types.js';
import { guard } from '../pipeline.js';
import type { Verdict } from '../types.js';

const ADAPTERS: Readonly<Record<string, HookAdapter>> = {
  'claude-code': claudeCode,
  cursor,
  gemini,
  codex,
};

/** Why: `blastgate hook` usage and help list exactly the harnesses that have an adapter. */
export const HOOK_HARNESSES: readonly string[] = Object.keys(ADAPTERS);

export interface HookOptions {
  /** The hook payload; read from fd 0 when absent. */
  stdin?: string;
  env?: Record<string, string | undefined>;
  /** Used when the payload names no working directory. */
  cwd?: string;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

const NO_OPINION: HookVerdict = { decision: 'none', forUser: '', forModel: '', forModelCannotAsk: '' };

/**
 * Exit 2 with the reason on stderr: Claude Code, Codex, Gemini CLI and Cursor all read that as
 * "block this call", whatever event or output format they expected.
 */
const refuse = (why: string): HookOutput => ({ stdout: '', stderr: `${refusalText(why)}\n`, exitCode: 2 });

/** One line, short: an error message may quote the payload. */
const message = (err: unknown) => {
  const text = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
};

// The log is a record, not a gate: a failure to write it must not change what the harness is told.
const record = async (engine: Engine, harness: string, command: string, verdict: Verdict) => {
  try {
    const { appendAudit } = await import('../stages/audit.js');
    await appendAudit(engine, { kind: 'decision', verdict, argv: [command], cwd: engine.cwd, decision: verdict.decision, reason: `${harness} hook: ${verdict.reason}` });
  } catch {
    // appendAudit reports its own failures; a missing module is a packaging bug the tests catch
  }
};

/** Why: the whole hook answer as a value, so tests and the CLI share one path. */
export const answerHook = async (harness: string, stdin: string, opts: Omit<HookOptions, 'stdin' | 'out' | 'err'> = {}): Promise<HookOutput> => {
  const adapter = Object.hasOwn(ADAPTERS, harness) ? ADAPTERS[harness] : undefined;
  if (!adapter) {
    return { stdout: '', stderr: `blastgate: hook: unknown harness ${JSON.stringify(harness)} (known: ${HOOK_HARNESSES.join(', ')})\n`, exitCode: EXIT.usage };
  }
  let json: unknown;
  try {
    json = JSON.parse(stdin);
  } catch (err) {
    return refuse(stdin.trim() === '' ? `no ${harness} hook input on stdin` : `the ${harness} hook input is not JSON (${message(err)})`);
  }
  if (looksLikeMcpCall(json)) {
    try {
      const { answerMcpHook } = await import('../hooks/mcp/answer.js');
      return await answerMcpHook(harness, adapter, json, { env: opts.env, cwd: opts.cwd }, refuse);
    } catch (err) {
      return refuse(isBlastgateError(err) ? message(err) : `internal error (${message(err)})`);
    }
  }
  let request;
  try {
    request = adapter.parseRequest(json, opts.env ?? process.env);
  } catch (err) {
    return refuse(err instanceof HookInputError ? `unexpected ${harness} hook input: ${message(err)}` : `cannot read the ${harness} hook input (${message(err)})`);
  }
  if (!request) return adapter.formatResponse(NO_OPINION);
  try {
    const engine = await loadEngine({ env: opts.env, cwd: request.cwd ?? opts.cwd, actor: 'agent' });
    const verdict = await guard({ kind: 'line', text: request.command }, { env: engine.env, cwd: engine.cwd, actor: engine.actor, index: engine.index, policy: engine.policy });
    if (verdict.decision !== 'allow') await record(engine, harness, request.command, verdict);
    const judge = (argv: string[]) => guard({ kind: 'argv', argv }, { env: engine.env, cwd: engine.cwd, actor: engine.actor, index: engine.index, policy: engine.policy });
    // Loaded only for a command that needs a human: approvals, crypto and the request store.
    const news = verdict.decision === 'confirm' ? await (await import('../hooks/approval-path.js')).hookApprovalPath(engine, verdict, judge) : null;
    const said = withApprovalNews(describeVerdict(request.command, verdict), request.command, news);
    return adapter.formatResponse({ ...said, canAsk: request.canAsk !== false });
  } catch (err) {
    return refuse(isBlastgateError(err) ? message(err) : `internal error (${message(err)})`);
  }
};

// fd 0 directly: touching `process.stdin` loads Node's stream machinery (~5 ms on every hook call).
// A terminal (a character device) is not a hook payload: answer at once instead of waiting for EOF.
const readStdin = (): string => {
  try {
    if (fstatSync(0).isCharacterDevice()) return '';
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
};


/** Why: the entry point the CLI dispatches `blastgate hook <harness>` to; returns the exit code. */
export const runHook = async (harness: string, opts: HookOptions = {}): Promise<number> => {
  const result = await answerHook(harness, opts.stdin ?? readStdin(), { env: opts.env, cwd: opts.cwd });
  if (result.stdout) (opts.out ?? writeFd(1))(`${result.stdout}\n`);
  if (result.stderr) (opts.err ?? writeFd(2))(result.stderr);
  return result.exitCode;
};
