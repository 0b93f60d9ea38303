// One way to compile a ruleset regex everywhere (loader validation and matching agree).

/** Unicode-mode JavaScript regex; a leading `(?i)` (not JavaScript syntax) means case-insensitive. */
export const compileRegex = (source: string): RegExp =>
  source.startsWith('(?i)') ? new RegExp(source.slice(4), 'iu') : new RegExp(source, 'u');
