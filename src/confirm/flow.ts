// The confirm stage's work, loaded only when a command actually needs confirming (keeps `run` lean).
// A human at a terminal answers on /dev/tty; an agent, or anything without a terminal, waits for a
// signed approval that only a human who knows the passphrase can produce (`blastgate approve <id>`).
import { trustedKeys, type KeyLookup } from '../approvals/key-store.js';
import { PASSPHRASE_ATTEMPTS, passphraseMatches } from '../approvals/keys.js';
import { subjectOf } from '../approvals/binding.js';
import { bindCommand, requestFor, viewOf, type BoundCommand } from '../approvals/request.js';
import { describeDifference } from '../approvals/difference.js';
import { isUsed, readApproval, readDenial } from '../approvals/store.js';
import { takeApproval } from '../approvals/verify.js';
import { visible } from '../report/escape.js';
import { humanTime } from '../report/time.js';
import { appendAudit } from '../stages/audit.js';
import { approvalWaitSeconds, type ConfirmOutcome, type ConfirmRequest, type ConfirmResult } from '../stages/confirm.js';
import { challengeFor, type Challenge } from './challenge.js';
import { chalkFor, renderPanel } from './panel.js';
import { openTty, type TtyPort } from './tty-prompt.js';

/** How often the waiting process looks for the approval: a stat or two per tick. */
const POLL_MS = 250;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Refusal reasons stay short: run.ts prints them on one `blastgate:` line and cuts long ones. */
const NO_PASSPHRASE = "needs a human's approval, but no approval passphrase is set: a human must run `blastgate passphrase set`";

interface Ctx extends BoundCommand {
  req: ConfirmRequest;
  keys: KeyLookup;
  err: (text: string) => void;
}

const record = async (ctx: Ctx, outcome: ConfirmOutcome, reason: string, approvalId?: string) => {
  const { req } = ctx;
  await appendAudit(req.engine, { kind: 'decision', verdict: req.verdict, argv: req.argv, cwd: req.cwd, decision: outcome, reason, approvalId });
};

const finish = async (ctx: Ctx, approved: boolean, outcome: ConfirmOutcome, reason: string, approvalId?: string): Promise<ConfirmResult> => {
  await record(ctx, outcome, reason, approvalId);
  return { approved, reason, outcome, ...(approvalId ? { approvalId } : {}) };
};

const notAnswered = (tty: TtyPort, seconds: number) =>
  tty.lastRefusal === 'timed out' ? `not confirmed: no answer within ${seconds} s` : `not confirmed: ${tty.lastRefusal ?? 'cancelled'}`;

/** Why: the terminal challenge. Every way out except the exact answer is a refusal. */
const atTerminal = async (ctx: Ctx, tty: TtyPort, challenge: Challenge): Promise<ConfirmResult> => {
  const { req, panel } = ctx;
  const env = req.engine.env;
  const timeoutMs = req.engine.policy.confirm.timeout * 1000;
  const stderrIsTTY = req.stderrIsTTY ?? process.stderr.isTTY === true;
  // The prompt follows the panel's colour rule on the terminal (NO_COLOR, TERM=dumb).
  const plain = chalkFor(tty.colors, env).level === 0;
  try {
    // The panel goes to stderr; when stderr is not the terminal, the human still has to see it there.
    ctx.err(`${renderPanel(panel, chalkFor(stderrIsTTY, env), env)}\n`);
    if (!stderrIsTTY) tty.write(`${renderPanel(panel, chalkFor(tty.colors, env), env)}\n`);
    if (challenge.passphrase && ctx.keys.keys.length === 0) {
      return await finish(ctx, false, 'no-passphrase', 'this also needs the approval passphrase, and none is set: run `blastgate passphrase set` first');
    }
    const seconds = req.engine.policy.confirm.timeout;
    if (challenge.typeName !== null) {
      const hint = challenge.nameSource === 'tool' ? ' (the target\'s own name is unknown)' : challenge.nameSource === 'tool-secret' ? ' (the target\'s name holds a secret)' : '';
      const answer = await tty.ask(`Type "${visible(challenge.typeName)}" to run it${hint}, anything else refuses [${seconds}s]:`, { timeoutMs, plain });
      if (answer === null) return await finish(ctx, false, 'declined', notAnswered(tty, seconds));
      if (answer !== challenge.typeName) return await finish(ctx, false, 'declined', `not confirmed: what was typed is not "${visible(challenge.typeName)}"`);
    } else {
      const answer = await tty.ask(`Run it? Type y to proceed, anything else refuses [${seconds}s]:`, { timeoutMs, plain });
      if (answer === null) return await finish(ctx, false, 'declined', notAnswered(tty, seconds));
      if (!/^y(es)?$/i.test(answer.trim())) return await finish(ctx, false, 'declined', 'not confirmed: the answer was not y');
    }
    if (challenge.passphrase) {
      // The same as `approve`: a wrong passphrase asks again, up to PASSPHRASE_ATTEMPTS times.
      for (let attempt = 1; ; attempt++) {
        const pass = await tty.ask('Approval passphrase (critical change on production):', { timeoutMs, secret: true, plain });
        if (pass === null) return await finish(ctx, false, 'declined', `${notAnswered(tty, seconds)}: no passphrase given`);
        if (ctx.keys.keys.some((k) => passphraseMatches(pass, k.file) !== null)) break;
        if (attempt >= PASSPHRASE_ATTEMPTS) return await finish(ctx, false, 'declined', `not confirmed: wrong approval passphrase (${PASSPHRASE_ATTEMPTS} attempts)`);
        tty.write('wrong passphrase\n');
      }
    }
    return await finish(ctx, true, 'confirmed', 'confirmed at the terminal');
  } finally {
    tty.close();
  }
};

/** Why: agent or no terminal — leave a request a human can approve out of band, then wait for it. */
const byApproval = async (ctx: Ctx, why: string): Promise<ConfirmResult> => {
  const { req, panel } = ctx;
  const env = req.engine.env;
  const c = chalkFor(req.stderrIsTTY ?? process.stderr.isTTY === true, env);
  if (ctx.keys.keys.length === 0) {
    ctx.err(`${c.bold(`Stopped by blastgate: this command needs a human's approval (${why}).`)}\n${renderPanel(panel, c, env)}\n`);
    ctx.err('Nobody can approve it yet: no approval passphrase is set. A human sets one, in their own terminal, with\n  blastgate passphrase set\n');
    for (const note of ctx.keys.ignored) ctx.err(`note: ${visible(note)}\n`);
    return finish(ctx, false, 'no-passphrase', NO_PASSPHRASE);
  }
  const pending = requestFor(ctx.req.engine, ctx, ctx.req.argv);
  const wait = approvalWaitSeconds(env, req.engine.policy.approval.wait);
  const approveLine = `blastgate approve ${pending.id}`;
  ctx.err(
    [
      c.bold(`Stopped by blastgate: this command needs a human's approval (${why}).`),
      renderPanel(panel, c, env),
      `A human must run, in their own terminal:  ${c.bold(approveLine)}`,
      wait > 0
        ? `Waiting up to ${wait} s for it. The request stays open until ${humanTime(pending.expiresAt)}; after approval, the same command in the same directory runs once.`
        : `Not waiting (approval wait is 0). After approval, re-run the same command in the same directory before ${humanTime(pending.expiresAt)}; it runs once.`,
      '',
    ].join('\n'),
  );
  if (wait === 0) return finish(ctx, false, 'pending', `needs approval: a human must run \`${approveLine}\` in their own terminal, then re-run this`, pending.id);
  const deadline = Date.now() + wait * 1000;
  const paths = req.engine.paths;
  const pollMs = req.pollMs ?? POLL_MS;
  while (Date.now() < deadline) {
    if (req.signal?.aborted) return finish(ctx, false, 'pending', `stopped waiting for ${pending.id}: the requester went away`, pending.id);
    if (readDenial(paths, pending.id)) return finish(ctx, false, 'denied', `request ${pending.id} was denied by a human`, pending.id);
    const approval = readApproval(paths, pending.id);
    if (approval) {
      // The expiry this process read (or wrote) with the request is the one the approver had to sign.
      if (approval.expiresAt !== pending.expiresAt) {
        return finish(ctx, false, 'rejected-approval', `approval for ${pending.id} rejected: its expiry is not the request's`, pending.id);
      }
      const salt = pending.panel.bound?.salt;
      const mine = typeof salt === 'string' ? ctx.panelWith(salt) : ctx.panel;
      const taken = takeApproval(paths, (a) => ({ subject: subjectOf(mine), difference: describeDifference(a.panel, mine) }), ctx.keys.keys, { id: pending.id });
      if (taken.ok) return finish(ctx, true, 'approved', `approved by a human (request ${pending.id}, key ${taken.key.origin})`, pending.id);
      const r = taken.rejections[0];
      return finish(ctx, false, 'rejected-approval', `approval for ${pending.id} rejected: ${r?.detail ?? 'unusable'}`, pending.id);
    }
    // Another process waiting on the same request took the approval: it is single-use, so stop now.
    if (isUsed(paths, pending.nonce)) return finish(ctx, false, 'rejected-approval', `the approval for ${pending.id} was used by another process running the same command`, pending.id);
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
  return finish(ctx, false, 'pending', `no approval within ${wait} s: a human must run \`${approveLine}\`, then re-run this`, pending.id);
};

/** Why: everything the stage does for a `confirm` or `deny` verdict. */
export const runConfirm = async (req: ConfirmRequest): Promise<ConfirmResult> => {
  const { verdict, engine } = req;
  const err = req.stderr ?? ((t: string) => void process.stderr.write(t));
  const ctx: Ctx = { req, ...bindCommand(verdict, req.argv, req.cwd, engine), keys: trustedKeys(engine.paths), err };
  if (verdict.decision === 'deny') return finish(ctx, false, 'denied', `denied by policy: ${verdict.reason}`);

  // An approval given earlier for exactly this command, directory and target (re-run within the TTL).
  if (ctx.keys.keys.length > 0) {
    const taken = takeApproval(engine.paths, (a) => viewOf(ctx, a), ctx.keys.keys);
    if (taken.ok) return finish(ctx, true, 'approved', `approved by a human earlier (request ${taken.approval.id})`, taken.approval.id);
    for (const r of taken.rejections) err(`note: approval ${visible(r.id)} not used: ${r.detail}\n`);
  }

  // A /dev/tty is not proof of a human: an agent can drive a PTY, so an agent is never prompted there.
  if (verdict.actor === 'agent') return byApproval(ctx, 'the caller is an AI agent');
  const tty = (req.openTty ?? openTty)();
  if (!tty) return byApproval(ctx, 'no terminal to ask on');
  return atTerminal(ctx, tty, challengeFor(ctx.panel, engine.policy, engine.env));
};
