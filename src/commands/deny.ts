// `blastgate deny <id>`: refuse a pending request; the waiting command stops at once with exit 77.
import { removePending, writeDenial } from '../approvals/store.js';
import { loadEngine } from '../engine.js';
import { appendAudit } from '../stages/audit.js';
import { auditFieldsOf, openRequest } from './approve.js';

export interface DenyOptions {
  id: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  out?: (text: string) => void;
}

/** Why: saying no needs no proof — anyone (even an agent) may deny; only approving is guarded. */
export const runDeny = async (opts: DenyOptions): Promise<number> => {
  const engine = await loadEngine({ env: opts.env, cwd: opts.cwd });
  const req = openRequest(engine, opts.id);
  writeDenial(engine.paths, { v: 1, id: req.id, deniedAt: new Date().toISOString() });
  removePending(engine.paths, req.id);
  await appendAudit(engine, { kind: 'approval', ...auditFieldsOf(req, engine.env), actor: engine.actor.actor, decision: 'denied', reason: 'blastgate deny' });
  (opts.out ?? ((t: string) => void process.stderr.write(t)))(`denied ${req.id}\n`);
  return 0;
};
