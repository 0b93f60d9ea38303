// commander registration of the shim-lifecycle commands: run, init, shims, doctor, uninstall.
import type { Command } from 'commander';

export const registerShimCommands = (_program: Command, _setCode: (code: number) => void): void => {};
