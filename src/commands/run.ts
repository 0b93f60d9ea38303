// `blastgate run -- <tool> [args…]`: what every shim calls when its prefilter cannot clear a command.
// Check it, get a confirmation when needed, then run the real tool as if blastgate were not there.
import { fstatSync } from 'node:fs';
import { basename } from 'node:path';
import { loadEngine, type Engine } from '../engine.js';
import { DeniedError, EXIT, UsageError } from '../errors.js';
import { guard } from '../pipeline.js';
import { indexGrammar, readArgs } from '../match/read-args.js';
import type { RuleIndex } from '../rulesets/types.js';
import { isShimFile, SAVED_NODE_OPTIONS } from '../shims/marker.js';
import { answerShim, watchParent, writeReplayFile, type ShimAnswer } from '../shims/answer.js';
import { selfEntry } from '../shims/self.js';
import { bufferedText, bufferStdin, type BufferedStdin } from '../shims/stdin-buffer.js';
import { execPassthrough, exitLikeChild, findRealBinary, type ExecResult } from '../stages/exec.js';
import { recheckBeforeExec } from '../payload/recheck.js';
import type { StdinSource, Verdict } from '../types.js';
import { shellQuote, visible } from '../report/escape.js';
import { redactArgv } from '../audit/redact.js';

// A character device on fd 0 is a terminal (or /dev/null, which has nothing to buffer either);
// node:tty is not loaded for this on the hot path.
const stdinIsTerminal = (): boolean => {
  try {
    return fstatSync(0).isCharacterDevice();
  } catch {
    return false;
  }
};

/**
 * Blast-radius resolvers run tools (`terraform state list`, `psql -c SELECT…`) with the caller's
 * environment, which may reach a shim and a nested `run`. The depth rides along in the engine's
 * environment (never the tool's); past the limit the command is refused instead of recursing.
 */
export const RUN_DEPTH_VAR = 'BLASTGATE_RUN_DEPTH';
export const MAX_RUN_DEPTH = 3;

export interface RunArgs {
  tool: string;
  args: string[];
  answer?: ShimAnswer;
  nodeOptionsSaved?: true;
}

/** `[--answer-fd N --nonce X] [--node-options] [--] tool args…`; nothing of blastgate's own may follow the tool name. */
export const parseRunArgs = (argv: string[]): RunArgs => {
  let i = 0;
  let fd: number | undefined;
  let nonce: string | undefined;
  let nodeOptionsSaved = false;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--answer-fd' && /^\d+$/.test(argv[i + 1] ?? '')) fd = Number(argv[++i]);
    else if (a === '--nonce' && argv[i + 1] !== undefined) nonce = argv[++i];
    else if (a === '--node-options') nodeOptionsSaved = true;
    else break;
  }
  if ((fd === undefined) !== (nonce === undefined)) throw new UsageError('run: --answer-fd and --nonce go together');
  const dashed = argv[i] === '--';
  const rest = argv.slice(dashed ? i + 1 : i);
  const tool = rest[0];
  if (tool === undefined || tool === '') throw new UsageError('run: missing the command: blastgate run -- <tool> [args…]');
  if (!dashed && tool.startsWith('-')) throw new UsageError(`run: unknown option ${tool}; put the command after --`);
  return {
    tool,
    args: rest.slice(1),
    ...(fd !== undefined && nonce !== undefined ? { answer: { fd, nonce } } : {}),
    ...(nodeOptionsSaved ? { nodeOptionsSaved: true as const } : {}),
  };
};

/**
 * The caller's environment as the tool must see it: undo what the shim parked for node's sake — only
 * when the shim says it parked something, so a caller's own variable of that name is never turned
 * into NODE_OPTIONS.
 */
export const toolEnvironment = (env: NodeJS.ProcessEnv, nodeOptionsSaved = false): Record<string, string | undefined> => {
  const out: Record<string, string | undefined> = { ...env };
  if (nodeOptionsSaved && SAVED_NODE_OPTIONS in out) {
    out.NODE_OPTIONS = out[SAVED_NODE_OPTIONS];
    delete out[SAVED_NODE_OPTIONS];
  }
  return out;
};

/** Does any ruleset for this program read the command's stdin as a payload (psql's SQL)? */
export const readsStdin = (index: RuleIndex, program: string, args: string[]): boolean =>
  (index.byBinary[program] ?? []).some((i) => {
    const grammar = index.rulesets[i]!.grammar;
    const flags = readArgs(args, indexGrammar(grammar), false).flags;
    return Object.values(grammar.payloads).some(
      (p) =>
        (p.stdin === true && !(p.stdinUnless ?? []).some((f) => flags.has(f))) ||
        ((p.fileFlags?.length || p.atFileFlags?.length) && args.some((a) => a.endsWith('-'))),
    );
  });

const oneLine = (text: string, max = 120) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/**
 * `terraform destroy not run: <why> [terraform:destroy, critical]` — argv quoted as a shell would, secrets
 * masked (the caller's exported tokens included), nothing raw.
 */
export const refusalLine = (argv: string[], verdict: Verdict, why: string, env: Record<string, string | undefined> = process.env): string => {
  const top = verdict.matches.find((m) => m.severity === verdict.severity) ?? verdict.matches[0];
  const rule = top ? ` [${top.rule}, ${top.severity}: ${visible(oneLine(top.message, 100))}]` : verdict.unknowns[0] ? ` [${visible(oneLine(verdict.unknowns[0].reason, 100))}]` : '';
  return `${oneLine(shellQuote(redactArgv(argv, env)), 60)} not run: ${visible(oneLine(why))}${rule}`;
};

// A terminal on stdin is an interactive session; /dev/null, /dev/zero… (major 1 on Linux) are character
// devices too, but nobody types into them: they read as the file they are (never opened for it).
const unbufferedStdin = (): StdinSource | undefined => {
  try {
    const st = fstatSync(0);
    if (!st.isCharacterDevice()) return undefined;
    return Math.floor(st.rdev / 256) % 4096 === 1 ? { kind: 'file', path: '/dev/stdin' } : { kind: 'terminal' };
  } catch {
    return undefined;
  }
};

const stdinSourceOf = (b: BufferedStdin | null): StdinSource | undefined =>
  b ? { kind: 'buffered', body: b.truncated ? '' : bufferedText(b), truncated: b.truncated } : unbufferedStdin();

// confirm and audit (prompts, approvals, the hash-chained log) load only for a gated command:
// the allowed path stays as light as `check`.
const auditModule = () => import('../stages/audit.js');

// Decide; returns the approval id when a confirmation let the command through, throws when refused.
const gate = async (engine: Engine, verdict: Verdict, argv: string[]): Promise<string | undefined> => {
  if (verdict.decision === 'allow') return undefined;
  const { appendAudit } = await auditModule();
  // Written before any prompt or wait: a gated command killed while waiting still leaves its record,
  // and one that cannot be recorded is refused here (appendAudit throws), before a human is asked.
  await appendAudit(engine, { kind: 'decision', verdict, argv, cwd: engine.cwd, ...(verdict.decision === 'confirm' ? { decision: 'asked', reason: 'confirmation requested' } : {}) });
  if (verdict.decision === 'deny') throw new DeniedError(refusalLine(argv, verdict, `denied by policy (${verdict.reason})`));
  const { confirm } = await import('../stages/confirm.js');
  const answer = await confirm({ verdict, argv, cwd: engine.cwd, engine });
  if (!answer.approved) throw new DeniedError(refusalLine(argv, verdict, answer.reason));
  return answer.approvalId;
};

const auditExit = async (engine: Engine, verdict: Verdict, argv: string[], approvalId: string | undefined, result: ExecResult) => {
  try {
    const { appendAudit } = await auditModule();
    await appendAudit(engine, { kind: 'exit', verdict, argv, cwd: engine.cwd, approvalId, exitCode: result.code, signal: result.signal });
  } catch (err) {
    // The tool already ran; its exit status matters more than our log line.
    process.stderr.write(`blastgate: ${(err as Error).message}\n`);
  }
};

/**
 * Decide, confirm when needed; returns the approval id of a confirmed command. Refusals throw. The
 * payloads are re-hashed right before the exec (or the answer to a shim, which execs next): a change re-judges.
 */
const decide = async (engine: Engine, toolArgv: string[], buffered: BufferedStdin | null) => {
  const judge = (probe: boolean) =>
    guard(
      { kind: 'argv', argv: toolArgv, stdin: stdinSourceOf(buffered) },
      { env: engine.env, cwd: engine.cwd, actor: engine.actor, index: engine.index, policy: engine.policy, ...(probe ? { resolve: false } : {}) },
    );
  const first = await judge(false);
  return recheckBeforeExec({ verdict: first, approvalId: await gate(engine, first, toolArgv) }, {
    judge,
    gate: (v) => gate(engine, v, toolArgv),
    notice: (line) => process.stderr.write(`blastgate: ${line}\n`),
  });
};

/**
 * Asked by a shim: the shim execs the tool itself on `allow` (or `stdin FILE` when the check read the
 * stdin); only stdin past the buffer cap keeps us in the path, running the tool as a child.
 */
const answerForShim = async (answer: ShimAnswer, engine: Engine, file: string, toolArgv: string[], env: Record<string, string | undefined>, buffered: BufferedStdin | null) => {
  const stopWatching = watchParent(() => process.exit(EXIT.blocked));
  const { verdict, approvalId } = await decide(engine, toolArgv, buffered);
  stopWatching();
  if (!buffered?.rest || buffered.bytes === 0) {
    // A confirmed command is recorded as handed over: the shim's exec replaces it, no exit status comes back.
    if (verdict.decision !== 'allow') await (await auditModule()).appendAudit(engine, { kind: 'exec', verdict, argv: toolArgv, cwd: engine.cwd, approvalId });
    if (buffered && buffered.bytes > 0) answerShim(answer, 'stdin', writeReplayFile(buffered.chunks));
    else answerShim(answer, 'allow');
    return EXIT.allow;
  }
  const result = await execPassthrough({
    file,
    argv0: toolArgv[0]!,
    args: toolArgv.slice(1),
    env,
    stdinReplay: { head: buffered.chunks, rest: buffered.rest },
    // Same process group as the shim: a signal to the group reaches the tool from the kernel, once.
    forwardSignals: false,
    killWithParent: true,
  });
  if (verdict.decision !== 'allow') await auditExit(engine, verdict, toolArgv, approvalId, result);
  answerShim(answer, 'done');
  return exitLikeChild(result);
};

/** Returns the tool's exit code (or dies by the tool's signal). Refusals throw DeniedError (77). */
export const runRun = async (argv: string[]): Promise<number> => {
  const { tool, args, answer, nodeOptionsSaved } = parseRunArgs(argv);
  try {
    return await runParsed(tool, args, answer, nodeOptionsSaved === true);
  } catch (err) {
    // A refusal or an error is an answer too: the shim exits with our status after printing nothing more.
    if (answer) {
      try {
        answerShim(answer, 'done');
      } catch {
        // the shim is gone
      }
    }
    throw err;
  }
};

const runParsed = async (tool: string, args: string[], answer: ShimAnswer | undefined, nodeOptionsSaved: boolean): Promise<number> => {
  const env = toolEnvironment(process.env, nodeOptionsSaved);
  const file = findRealBinary(tool, { path: env.PATH, skipFiles: [selfEntry().bin] });
  // bash exports `_` = the path it ran (the shim); the tool would have seen its own path.
  if (env._ && basename(env._) === basename(tool) && isShimFile(env._)) env._ = file;
  const depth = Number(env[RUN_DEPTH_VAR] ?? 0) || 0;
  if (depth >= MAX_RUN_DEPTH) throw new DeniedError(`${tool}: not run: blastgate run nested ${depth} deep (a resolver reaching the shims again?)`);
  const engine = await loadEngine({ env: { ...env, [RUN_DEPTH_VAR]: String(depth + 1) } });
  const program = basename(tool);
  const buffered = !stdinIsTerminal() && readsStdin(engine.index, program, args) ? await bufferStdin() : null;
  const toolArgv = [tool, ...args];
  if (answer) return answerForShim(answer, engine, file, toolArgv, env, buffered);
  const { verdict, approvalId } = await decide(engine, toolArgv, buffered);
  const result = await execPassthrough({
    file,
    argv0: tool,
    args,
    env,
    ...(buffered ? { stdinReplay: { head: buffered.chunks, rest: buffered.rest } } : {}),
  });
  if (verdict.decision !== 'allow') await auditExit(engine, verdict, toolArgv, approvalId, result);
  return exitLikeChild(result);
};
