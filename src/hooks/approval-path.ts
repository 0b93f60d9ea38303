// One approval for one command (issue 15 #7): the hook opens the very request the shim will honour, and
// says its id. The human approves it once with `blastgate approve <id>`; then Claude Code's Yes (or the
// agent's retry, where nobody sees an `ask`) runs the command and the shim takes that approval at once.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { trustedKeys } from '../approvals/key-store.js';
import { bindCommand, requestFor, viewOf } from '../approvals/request.js';
import { approvalsDir, listApprovals } from '../approvals/store.js';
import { checkApproval } from '../approvals/verify.js';
import type { Engine } from '../engine.js';
import type { Verdict } from '../types.js';

export interface HookApprovalPath {
  /** Request ids a human can approve, one per gated command of the line (the shim's own requests). */
  requestIds: string[];
  /** Set when every gated command already holds a valid, unused approval: their request ids. */
  approvedIds: string[] | null;
  /** No approval key exists, so nobody can approve yet. */
  noPassphrase: boolean;
}

/**
 * Why: without a shim in the way, an approval the hook lets through would never be consumed; a marker per
 * approval (O_EXCL) lets the hook pass each approval once. The shim still consumes it for real.
 */
const passOnce = (engine: Engine, nonce: string): boolean => {
  const dir = join(approvalsDir(engine.paths), 'hook-passed');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(join(dir, `${nonce}.json`), 'wx', 0o600));
    return true;
  } catch {
    return false;
  }
};

/**
 * Each gated command of the line is judged as the shim will judge it (its argv alone, this directory and
 * environment); its request is opened (or reused) so the shim's finds the same id. A command the shim would
 * allow or deny outright needs no request; a line the shim cannot see as commands yields null.
 */
export const hookApprovalPath = async (engine: Engine, verdict: Verdict, judgeArgv: (argv: string[]) => Promise<Verdict>): Promise<HookApprovalPath | null> => {
  const gated = [...new Set(verdict.matches.map((m) => m.invocation))].map((i) => verdict.commands[i]).filter((c) => c !== undefined);
  if (gated.length === 0) return null;
  const keys = trustedKeys(engine.paths).keys;
  if (keys.length === 0) return { requestIds: [], approvedIds: null, noPassphrase: true };
  const commands: Array<{ argv: string[]; cmd: ReturnType<typeof bindCommand>; ready: { id: string; nonce: string } | undefined }> = [];
  for (const c of gated) {
    const v = await judgeArgv(c.argv);
    if (v.decision === 'allow') continue;
    if (v.decision === 'deny') return null;
    const cmd = bindCommand(v, c.argv, engine.cwd, engine);
    const ready = listApprovals(engine.paths).find((a) => {
      const view = viewOf(cmd, a);
      return view !== null && checkApproval(a, view.subject, keys, engine.paths).ok;
    });
    commands.push({ argv: c.argv, cmd, ready });
  }
  if (commands.length === 0) return null;
  if (commands.every((c) => c.ready) && commands.every((c) => passOnce(engine, c.ready!.nonce))) {
    return { requestIds: [], approvedIds: commands.map((c) => c.ready!.id), noPassphrase: false };
  }
  // Not yet approved (or the hook already let this approval through once): the request to approve.
  const open = commands.filter((c) => !c.ready);
  const requestIds = (open.length ? open : commands).map((c) => requestFor(engine, c.cmd, c.argv).id);
  return { requestIds, approvedIds: null, noPassphrase: false };
};
