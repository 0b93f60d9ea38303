// Reading a wrapper's own options the way getopt_long does in "+" mode: options end at the first operand.
import { basename, drop, type Handler, type Outcome, type State } from './state.js';

export interface OptionSpec {
  /** Short options without a value. */
  flags?: string;
  /** Short options with a value (attached `-uroot` or the next word). */
  values?: string;
  /** Short options whose value may only be attached (getopt `x::`). */
  optional?: string;
  longFlags?: string[];
  longValues?: string[];
  /** Long options whose value is only given as `--name=value`. */
  longOptional?: string[];
  /** Unknown options are treated as flags instead of failing (npm-style CLIs). */
  lenient?: boolean;
}

export interface ReadOptions {
  /** Each option as `-x` or `--name`, with its value if any. */
  options: Array<{ name: string; value?: string }>;
  /** Index of the first operand (argv.length when none). */
  next: number;
  /** The operands were introduced by `--`. */
  dashDash?: boolean;
  error?: string;
}

/** Reads options from argv[from…] the way getopt_long does in "+" mode (abbreviated long names too). */
export function readOptions(argv: string[], from: number, spec: OptionSpec): ReadOptions {
  const options: ReadOptions['options'] = [];
  let i = from;
  while (i < argv.length) {
    const word = argv[i]!;
    if (word === '--') return { options, next: i + 1, dashDash: true };
    if (!word.startsWith('-') || word === '-') break;
    if (word.startsWith('--')) {
      const body = word.slice(2);
      const eq = body.indexOf('=');
      const written = eq < 0 ? body : body.slice(0, eq);
      const name = resolveLong(written, spec);
      if (!name) {
        if (spec.lenient) {
          options.push({ name: `--${written}`, ...(eq >= 0 ? { value: body.slice(eq + 1) } : {}) });
          i++;
          continue;
        }
        return { options, next: i, error: `unrecognized option ${word}` };
      }
      if (spec.longValues?.includes(name)) {
        if (eq >= 0) options.push({ name: `--${name}`, value: body.slice(eq + 1) });
        else {
          if (i + 1 >= argv.length) return { options, next: i, error: `option --${name} needs a value` };
          options.push({ name: `--${name}`, value: argv[++i]! });
        }
      } else if (spec.longOptional?.includes(name)) {
        options.push({ name: `--${name}`, ...(eq >= 0 ? { value: body.slice(eq + 1) } : {}) });
      } else {
        if (eq >= 0 && !spec.lenient) return { options, next: i, error: `option --${name} takes no value` };
        options.push({ name: `--${name}`, ...(eq >= 0 ? { value: body.slice(eq + 1) } : {}) });
      }
      i++;
      continue;
    }
    for (let k = 1; k < word.length; k++) {
      const letter = word[k]!;
      if (spec.values?.includes(letter)) {
        const attached = word.slice(k + 1);
        if (attached) options.push({ name: `-${letter}`, value: attached });
        else {
          if (i + 1 >= argv.length) return { options, next: i, error: `option -${letter} needs a value` };
          options.push({ name: `-${letter}`, value: argv[++i]! });
        }
        break;
      }
      if (spec.optional?.includes(letter)) {
        const attached = word.slice(k + 1);
        options.push({ name: `-${letter}`, ...(attached ? { value: attached } : {}) });
        break;
      }
      if (spec.flags?.includes(letter) || spec.lenient) options.push({ name: `-${letter}` });
      else return { options, next: i, error: `unrecognized option -${letter}` };
    }
    i++;
  }
  return { options, next: i };
}

export function resolveLong(written: string, spec: OptionSpec): string | undefined {
  const all = [...(spec.longFlags ?? []), ...(spec.longValues ?? []), ...(spec.longOptional ?? [])];
  if (all.includes(written)) return written;
  const candidates = all.filter((name) => name.startsWith(written));
  return candidates.length === 1 ? candidates[0] : undefined;
}

export const has = (read: ReadOptions, ...names: string[]): boolean => read.options.some((o) => names.includes(o.name));

export const valueOf = (read: ReadOptions, ...names: string[]): string | undefined =>
  read.options.filter((o) => names.includes(o.name) && o.value !== undefined).at(-1)?.value;

/** Reads a wrapper's options; on error returns an Unknown outcome naming the wrapper. */
export function optionsOrUnknown(state: State, spec: OptionSpec, from = 1): ReadOptions | Outcome {
  const read = readOptions(state.argv, from, spec);
  if (read.error) return { kind: 'unknown', reason: `${read.error} for ${basename(state.argv[0]!)}` };
  if (state.dynamic.some((i) => i >= from && i < read.next)) {
    return { kind: 'unknown', reason: `${basename(state.argv[0]!)} options only known at run time` };
  }
  return read;
}

export const isOutcome = (value: ReadOptions | Outcome): value is Outcome => 'kind' in value;

export const HELP = ['--help', '--version'];

/** Options, then a required command: the common shape of `nohup`, `setsid`, `stdbuf` … */
export function simpleWrapper(spec: OptionSpec, stopWhen: string[] = [], name?: string): Handler {
  return (state) => {
    const read = optionsOrUnknown(state, spec);
    if (isOutcome(read)) return read;
    if (has(read, ...stopWhen) || read.next >= state.argv.length) return { kind: 'final' };
    return drop(state, read.next, name ?? basename(state.argv[0]!));
  };
}
