// Words the shell fills in at run time: `$X`, `${X…}`, `$(…)`, backquotes, special parameters.

const EXPANSION = /\$\{[^}]*\}|\$\([^)]*\)|`[^`]*`|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@*#?$!-]/g;

/** The word as it reads when every expansion in it is empty (the classic `rm -rf "$DIR/"` with DIR unset). */
export const withoutExpansions = (word: string) => word.replace(EXPANSION, '');

/** A word that is nothing but expansions: its value could be any word at all. */
export const wholeWordExpansion = (word: string) => word !== '' && withoutExpansions(word) === '';
