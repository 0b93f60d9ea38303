// `init` offers to set the approval passphrase (only to a human at a terminal; otherwise it prints how).
import type { Engine } from '../engine.js';

export interface PassphraseOffer {
  engine: Engine;
  /** `init --yes`: no questions beyond what was accepted. */
  yes: boolean;
  out: (line: string) => void;
}

/** Called by `blastgate init` after the shims and rc files are set up. */
export const offerApprovalPassphrase = async (offer: PassphraseOffer): Promise<void> =>
  (await import('./passphrase.js')).offerPassphraseAtInit(offer);
