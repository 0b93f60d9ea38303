// Colour for text output, loaded only when it will show: chalk (and node:tty under it) costs ~6 ms.
import { fstatSync } from 'node:fs';
import type { ChalkInstance } from 'chalk';

type Paint = ChalkInstance;

// Every style is the identity; chains like `plain.red.bold(x)` work too. Not a thenable, so it can be
// the value of an `await`.
const identity = ((text: unknown) => String(text)) as unknown as Paint;
export const plain: Paint = new Proxy(identity, { get: (_target, key) => (key === 'then' ? undefined : plain) });

const isTerminal = (fd: number): boolean => {
  try {
    return fstatSync(fd).isCharacterDevice() && fd !== -1;
  } catch {
    return false;
  }
};

/** chalk when `fd` is a terminal (or FORCE_COLOR is set) and NO_COLOR is not; otherwise plain text. */
export const paintFor = async (fd: number, env: Record<string, string | undefined>): Promise<Paint> => {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return plain;
  if (!isTerminal(fd) && !env.FORCE_COLOR) return plain;
  const { chalk } = await import('./chalk.js');
  return chalk;
};
