// Stage 7: get a confirmation the caller cannot give itself. The work lives in src/confirm/flow.ts and
// loads only when a command needs it; safe commands never pay for crypto, chalk or enquirer.
import type { Engine } from '../engine.js';
import type { Verdict } from '../types.js';
import type { TtyPort } from '../confirm/tty-prompt.js';

export interface ConfirmRequest {
  verdict: Verdict;
  /** The exact argv the real tool would get (argv[0] = tool name as invoked). */
  argv: string[];
  cwd: string;
  engine: Engine;
  /** Test ports; default to the real terminal, stderr and clock. */
  openTty?: () => TtyPort | null;
  stderr?: (text: string) => void;
  /** Whether stderr is a terminal (decides colour and where the panel goes). */
  stderrIsTTY?: boolean;
  pollMs?: number;
  /** Stops waiting for an approval (the sandbox broker's client went away). */
  signal?: AbortSignal;
}

export interface ConfirmResult {
  approved: boolean;
  /** One line for `blastgate: <reason>` on refusal, or how it was approved. */
  reason: string;
  approvalId?: string;
  /** How it ended, as written to the audit log: confirmed, declined, approved, pending, denied … */
  outcome?: ConfirmOutcome;
}

export type ConfirmOutcome = 'allowed' | 'confirmed' | 'declined' | 'approved' | 'pending' | 'denied' | 'no-passphrase' | 'rejected-approval';

/** `BLASTGATE_APPROVAL_WAIT` may shorten or lengthen the wait; it can never approve anything. */
export const approvalWaitSeconds = (env: Record<string, string | undefined>, policyWait: number): number => {
  const raw = env.BLASTGATE_APPROVAL_WAIT;
  if (raw === undefined || raw.trim() === '') return policyWait;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : policyWait;
};

/** Why: the stage entry run.ts calls for every non-allow verdict; `approved: false` means exit 77. */
export const confirm = async (req: ConfirmRequest): Promise<ConfirmResult> => {
  if (req.verdict.decision === 'allow') return { approved: true, reason: 'allowed by policy', outcome: 'allowed' };
  const { runConfirm } = await import('../confirm/flow.js');
  return runConfirm(req);
};
