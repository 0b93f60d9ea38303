// One way to say "this command, bound to what it will read" — shared by the gate (flow.ts) and the agent
// hooks, so a request the hook opens is the very request the shim finds and honours (one approval, one path).
import type { Engine } from '../engine.js';
import { panelDataFrom, type PanelData } from '../confirm/panel.js';
import { redactArgv } from '../audit/redact.js';
import type { Verdict } from '../types.js';
import { subjectOf } from './binding.js';
import { boundNamesOf, fingerprintInputs, newSalt, rulesetsFor } from './credentials.js';
import { describeDifference } from './difference.js';
import { createPending, listPending, sweepExpired, type Approval, type PendingRequest } from './store.js';
import type { SubjectView } from './verify.js';

export interface BoundCommand {
  /** The panel bound under a fresh salt: what a new request carries. */
  panel: PanelData;
  subject: string;
  /** The same panel with credentials fingerprinted under another request's salt. */
  panelWith: (salt: string) => PanelData;
}

type EngineParts = Pick<Engine, 'index' | 'env' | 'actor'>;

/** Why: the panel and its binding, computed the same way wherever a request is made or checked. */
export const bindCommand = (verdict: Verdict, argv: string[], cwd: string, engine: EngineParts): BoundCommand => {
  const base = panelDataFrom(verdict, argv, cwd, engine.actor.reason);
  const names = boundNamesOf(rulesetsFor(engine.index, verdict.commands.map((c) => c.program)));
  const panelWith = (salt: string): PanelData => ({ ...base, bound: fingerprintInputs(names, engine.env, salt, verdict.payloads ?? []) });
  const panel = panelWith(newSalt());
  return { panel, subject: subjectOf(panel), panelWith };
};

/** Why: an approval or request concerns this command when it was made for the same argv in the same directory. */
export const sameCommand = (a: PanelData, b: PanelData): boolean =>
  a.cwd === b.cwd && a.argv.length === b.argv.length && a.argv.every((w, i) => w === b.argv[i]);

/** The gate's own subject under an approval's salt, and what differs when it is not the approved one. */
export const viewOf = (cmd: BoundCommand, approval: Approval): SubjectView | null => {
  if (!approval?.panel || !sameCommand(approval.panel, cmd.panel)) return null;
  const salt = approval.panel.bound?.salt;
  const mine = typeof salt === 'string' ? cmd.panelWith(salt) : cmd.panel;
  return { subject: subjectOf(mine), difference: describeDifference(approval.panel, mine) };
};

/** Why: reuse an open request for the same subject, so a retry (or the shim after the hook) shares one id. */
export const findOpenRequest = (engine: Pick<Engine, 'paths'>, cmd: BoundCommand, now = Date.now()): PendingRequest | undefined =>
  listPending(engine.paths).find(
    (p) => typeof p.panel?.bound?.salt === 'string' && Date.parse(p.expiresAt) > now + 5000 && subjectOf(cmd.panelWith(p.panel.bound.salt)) === p.subject,
  );

/** The open request for this command, or a new one. */
export const requestFor = (engine: Pick<Engine, 'paths' | 'policy' | 'env'>, cmd: BoundCommand, argv: string[]): PendingRequest => {
  sweepExpired(engine.paths);
  return findOpenRequest(engine, cmd) ?? createPending(engine.paths, cmd.panel, cmd.subject, engine.policy.approval.ttl, redactArgv(argv, engine.env));
};
