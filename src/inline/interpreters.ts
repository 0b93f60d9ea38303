// Which programs run inline code blastgate reads, and where each takes it. Kept apart from expand.ts so the
// pipeline can ask "is this an interpreter?" without loading the readers.

export type Language = 'python' | 'javascript';

export interface Interpreter {
  language: Language;
  /** Flags whose value is the code (`-c CODE`, `--eval=CODE`). */
  codeFlags: string[];
  /** Flags that take a value (so it is not mistaken for the script). */
  valueFlags: string[];
  /** A subcommand whose next word is the code (`deno eval CODE`) or script (`deno run FILE`). */
  evalSubcommand?: string;
  runSubcommand?: string;
}

export const PYTHON: Interpreter = { language: 'python', codeFlags: ['-c'], valueFlags: ['-W', '-X', '-Q'] };
const NODE: Interpreter = { language: 'javascript', codeFlags: ['-e', '--eval', '-p', '--print'], valueFlags: ['-r', '--require', '--import', '--loader', '--experimental-loader', '--input-type', '--env-file', '--conditions', '-C', '--title', '--max-old-space-size'] };

export const interpreterFor = (program: string): Interpreter | null => {
  if (/^python(\d+(\.\d+)?)?$/.test(program) || program === 'pypy3') return PYTHON;
  if (program === 'node' || program === 'nodejs') return NODE;
  if (program === 'bun') return { ...NODE, codeFlags: ['-e', '--eval', '-p', '--print'] };
  if (program === 'deno') return { ...NODE, codeFlags: [], evalSubcommand: 'eval', runSubcommand: 'run' };
  return null;
};

