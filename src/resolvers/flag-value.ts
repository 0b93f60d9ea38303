// Best-effort flag lookup for blast-radius resolvers: the last value given to any of the spellings
// (`--context x`, `--context=x`, `-nprod` for a one-letter flag). Resolvers only describe; they never decide.
export const flagValue = (argv: readonly string[], spellings: readonly string[]): string | undefined => {
  let found: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') break;
    for (const s of spellings) {
      if (word === s && i + 1 < argv.length) found = argv[i + 1];
      else if (word.startsWith(`${s}=`)) found = word.slice(s.length + 1);
      else if (s.length === 2 && !s.startsWith('--') && word.startsWith(s) && word.length > 2 && !word.startsWith('--')) found = word.slice(2);
    }
  }
  return found;
};

/** Positionals after the given command words (`delete ns a b` → [a, b]), skipping flags and their values. */
export const operandsAfter = (argv: readonly string[], command: readonly string[], valueFlags: readonly string[]): string[] => {
  const out: string[] = [];
  let matched = 0;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word.startsWith('-') && word.length > 1) {
      if (valueFlags.includes(word)) i++;
      continue;
    }
    if (matched < command.length) {
      if (word === command[matched]) matched++;
      continue;
    }
    out.push(word);
  }
  return out;
};
