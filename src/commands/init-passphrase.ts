// Hook point for the confirmation issue: `init` offers to set the approval passphrase here.
import type { Engine } from '../engine.js';

export interface PassphraseOffer {
  engine: Engine;
  /** `init --yes`: no questions beyond what was accepted. */
  yes: boolean;
  out: (line: string) => void;
}

/** Called by `blastgate init` after the shims and rc files are set up. Does nothing until issue 5 fills it in. */
export const offerApprovalPassphrase = async (_offer: PassphraseOffer): Promise<void> => {};
