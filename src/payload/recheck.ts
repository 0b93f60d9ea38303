// Right before exec, after any confirmation or approval wait: the payloads must still be the bytes that
// were judged. A human approved `DROP TABLE scratch` from `psql -f mig.sql`; if mig.sql (or a psqlrc, a
// curl config…) changed or appeared during the wait, the whole verdict runs again and stands on its own.
import { DeniedError } from '../errors.js';
import type { PayloadSnapshot, Verdict } from '../types.js';
import { hashNow } from './read.js';

/** Re-verdicts in a row before giving up on a payload that keeps changing under the gate. */
export const MAX_RECHECKS = 3;

export interface Judged {
  verdict: Verdict;
  approvalId: string | undefined;
}

const isFile = (p: PayloadSnapshot) => p.source.startsWith('/');

/** Files of the verdict whose bytes are not the ones judged (changed, gone, or now readable). */
export const changedFiles = (verdict: Verdict): string[] =>
  (verdict.payloads ?? []).filter((p) => isFile(p) && hashNow(p.source) !== p.sha256).map((p) => p.source);

const key = (list: PayloadSnapshot[] | undefined) =>
  JSON.stringify([...(list ?? [])].sort((a, b) => a.source.localeCompare(b.source)).map((p) => [p.source, p.sha256]));

export interface RecheckPorts {
  /** The verdict for the same command now; `probe` skips the slow blast-radius resolvers. */
  judge: (probe: boolean) => Promise<Verdict>;
  /** Confirm / approve / refuse a verdict (throws when refused); the approval id when one let it through. */
  gate: (verdict: Verdict) => Promise<string | undefined>;
  /** Told before a re-verdict, with what changed (one line for the user). */
  notice?: (line: string) => void;
}

/**
 * Returns the verdict (and approval) the command runs under. An allowed command only re-hashes the files
 * it read; a gated one is judged again after its wait (which also finds rc files that appeared meanwhile).
 */
export const recheckBeforeExec = async (first: Judged, ports: RecheckPorts): Promise<Judged> => {
  let current = first;
  for (let round = 0; round <= MAX_RECHECKS; round++) {
    const cheap = current.verdict.decision === 'allow';
    if (cheap && changedFiles(current.verdict).length === 0) return current;
    const probe = cheap ? null : await ports.judge(true);
    if (probe && key(probe.payloads) === key(current.verdict.payloads)) return current;
    if (round === MAX_RECHECKS) break;
    const files = changedFiles(current.verdict);
    ports.notice?.(`${files.length ? files.join(', ') : 'what the command reads'} changed after it was checked; checking it again`);
    const verdict = await ports.judge(false);
    current = { verdict, approvalId: await ports.gate(verdict) };
  }
  throw new DeniedError(`${first.verdict.commands[0]?.argv.join(' ').slice(0, 60) ?? 'command'} not run: what it reads kept changing while it was being checked`);
};
