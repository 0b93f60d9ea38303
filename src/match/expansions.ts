// Words the shell fills in at run time: `$X`, `${X…}`, `$(…)`, backquotes, special parameters.

const EXPANSION = /\$\{[^}]*\}|\$\([^)]*\)|`[^`]*`|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@*#?$!-]/g;

/** The word as it reads when every expansion in it is empty (the classic `rm -rf "$DIR/"` with DIR unset). */
export const withoutExpansions = (word: string) => word.replace(EXPANSION, '');

/** A word that is nothing but expansions: its value could be any text at all. */
export const wholeWordExpansion = (word: string) => word !== '' && withoutExpansions(word) === '';

// Command output and "all positional parameters": any number of words with any content.
const ANY_WORDS = /^(?:\$\((?:.|\n)*\)|`(?:.|\n)*`|\$[@*]|\$\{[@*]\})$/;

/**
 * A word whose value is another command's output (`$(kubectl get ns -o name)`) or `$@`: it may be any
 * word, so it matches every pattern. A plain `"$VAR"` is read as written and with the variable empty.
 */
export const anyWordAtRunTime = (word: string) => ANY_WORDS.test(word);
