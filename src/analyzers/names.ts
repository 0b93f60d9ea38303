// Names of payload analyzers a ruleset may reference (validated at load, so a typo fails early).
export const ANALYZER_NAMES: readonly string[] = ['sql', 'graphql'];
