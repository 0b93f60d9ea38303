// Read a terraform/tofu command line the way the CLI does: `-chdir=DIR` first, the command path,
// TF_CLI_ARGS / TF_CLI_ARGS_<path> spliced in after it, then Go-style flags and positionals.
import { parse as shellParse } from 'shell-quote';
import { indexGrammar, isFalsy, readArgs } from '../match/read-args.js';

// Only the flags of the commands this resolver reads (apply/destroy, state rm/push, workspace delete,
// show); a flag missing here is read as boolean, which can only turn a value into a positional.
const GRAMMAR = indexGrammar({
  style: 'go',
  valueFlags: [
    '-chdir', '-var', '-var-file', '-target', '-target-file', '-exclude', '-exclude-file', '-replace', '-invoke',
    '-out', '-state', '-state-out', '-backup', '-backup-out', '-lock-timeout', '-parallelism', '-policies',
    '-json-into', '-deprecation',
  ],
  aliases: {},
  envArgs: [],
  payloads: {},
});

/** Commands whose name is two words. */
const NESTED = new Set(['state', 'workspace', 'env']);

export interface TerraformArgs {
  /** `-chdir=DIR` as written (relative to the caller's cwd), if any. */
  chdir?: string;
  /** e.g. ['destroy'], ['state', 'rm'], ['workspace', 'delete']. */
  command: string[];
  /** Positionals after the command path (addresses, plan file, workspace name). */
  args: string[];
  /** Every value of a flag, by one-dash name. */
  flags: Map<string, string[]>;
}

const envWords = (value: string): string[] =>
  shellParse(value, (name: string) => `$${name}`).flatMap((t) => (typeof t === 'string' ? [t] : 'pattern' in t ? [t.pattern] : []));

const commandPathOf = (positionals: string[]): string[] =>
  positionals.length > 1 && NESTED.has(positionals[0]!) ? positionals.slice(0, 2) : positionals.slice(0, 1);

// terraform main.go: TF_CLI_ARGS, then TF_CLI_ARGS_<path with _>, each inserted after the last command word.
const spliceEnvArgs = (args: string[], env: Record<string, string | undefined>): string[] => {
  let out = args;
  const first = readArgs(out, GRAMMAR, false);
  const path = commandPathOf(first.positionals);
  const after = path.length ? first.positionalIndex[path.length - 1]! + 1 : 0;
  const specific = path.length ? env[`TF_CLI_ARGS_${path.join('_').replace(/-/g, '_')}`] : undefined;
  const general = env.TF_CLI_ARGS;
  const words = [...(specific ? envWords(specific) : []), ...(general ? envWords(general) : [])];
  if (words.length) out = [...out.slice(0, after), ...words, ...out.slice(after)];
  return out;
};

/** Why: the resolver must see the same command, directory and flags that terraform itself will act on. */
export const readTerraformArgs = (argv: readonly string[], env: Record<string, string | undefined>): TerraformArgs => {
  let rest = argv.slice(1);
  let chdir: string | undefined;
  const head = rest[0];
  if (head !== undefined && /^--?chdir(=|$)/.test(head)) {
    const eq = head.indexOf('=');
    chdir = eq > 0 ? head.slice(eq + 1) : rest[1];
    rest = rest.slice(eq > 0 ? 1 : 2);
  }
  const read = readArgs(spliceEnvArgs(rest, env), GRAMMAR, false);
  const command = commandPathOf(read.positionals);
  return { chdir, command, args: read.positionals.slice(command.length), flags: read.flags };
};

/** A Go bool flag given and not `=false`. */
export const flagOn = (a: TerraformArgs, name: string): boolean => (a.flags.get(name) ?? []).some((v) => !isFalsy(v));

/** Every value of a value flag. */
export const flagValues = (a: TerraformArgs, name: string): string[] => a.flags.get(name) ?? [];
