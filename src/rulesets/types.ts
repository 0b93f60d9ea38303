// The ruleset DSL, as written in rulesets/<tool>.yaml and as compiled to JSON.
import type { BlastFacts, Severity } from '../types.js';

/**
 * How a tool's argv is read.
 * - `posix`: `--long[=v]`, `-abc` combined short flags, `-n5` attached values (git, rm, kubectl, railway…).
 * - `go`: Go's flag package: `-name[=v]` and `--name[=v]` are the same flag; no combining (terraform, tofu).
 */
export type FlagStyle = 'posix' | 'go';

export interface EnvArgs {
  /** Variable name; `{command}` stands for the first positional (TF_CLI_ARGS_{command}). */
  var: string;
  /** Where the words are inserted: after the command path (`after-command`) or before all args (`start`). */
  at: 'after-command' | 'start';
}

/** Where a payload analyzer finds its text. */
export interface PayloadSource {
  /** Flags whose value is the payload (`psql -c SQL`). */
  flags?: string[];
  /** Flags whose value is a path to the payload (`psql -f file`; `-` means stdin). */
  fileFlags?: string[];
  /** Flags whose value is the payload, or `@path` / `@-` for a file / stdin (curl -d). */
  atFileFlags?: string[];
  /** The command's stdin (pipe, redirect, heredoc, here-string, buffered) is a payload. */
  stdin?: boolean;
  /** Canonical flags whose presence means the tool does not read stdin (`psql -c`): then it is no payload. */
  stdinUnless?: string[];
  /** Positionals after the command path are payloads (`redis-cli FLUSHALL`). */
  positionals?: boolean;
}

/**
 * A file or variable the tool reads on its own (rc and config files): judged like the command line and
 * hashed into the verdict. A file the gate cannot read or follow makes the verdict unknown.
 */
export interface ImplicitInput {
  /**
   * `payload`: its text is one more payload for `analyzer` (a psqlrc is SQL);
   * `curl-config` / `wgetrc` / `mysql-options`: option lines, read as if written at the front of the command line;
   * `hash`: not judged, only snapshotted (approvals bind it, `run` re-checks it before exec).
   */
  read: 'payload' | 'curl-config' | 'wgetrc' | 'mysql-options' | 'hash';
  analyzer?: string;
  /**
   * Candidate paths; every one that exists is read (no tool's precedence is trusted to hide a file).
   * `~/` is the tool's HOME (the account's home when unset), `$VAR` a variable's value (skipped when
   * unset or empty), a `*` in the last part any name (`~/.psqlrc-*`).
   */
  files?: string[];
  /** Variables the tool reads on its own (PGOPTIONS): their values are snapshotted as `$NAME`. */
  env?: string[];
  /** Canonical flags whose value is a file read the same way, in place (`curl -K FILE`; `-` is stdin). */
  flags?: string[];
  /** Canonical flags that turn `files` off (`psql -X`). */
  disabledBy?: string[];
  /** Canonical flags that turn `files` off only as the very first argument (`curl -q`). */
  disabledByFirst?: string[];
}

/** When the tool reads commands from a terminal on its stdin (psql without -c/-f, `railway connect`). */
export interface InteractiveSpec {
  /** Positional prefix (`[connect]`); absent: any invocation. */
  command?: string[];
  /** Canonical flags whose presence means it does not read commands from the terminal. */
  unless?: string[];
  /** Only with at most this many positionals (redis-cli without a command: 0; sqlite3 with just its file: 1). */
  maxArgs?: number;
}

export interface Grammar {
  style: FlagStyle;
  /** Flags that take a value (next word unless written `--flag=value`), every spelling listed. */
  valueFlags: string[];
  /** Spelling → canonical flag name, e.g. { '-f': '--force' }. */
  aliases: Record<string, string>;
  /** Flags known to take no value, so they never swallow the next word, even when read cautiously. */
  switches?: string[];
  envArgs: EnvArgs[];
  payloads: Record<string, PayloadSource>;
  /**
   * `getopt`: the tool's parser (GNU getopt_long, git's parse-options) takes any unique prefix of a
   * long option as that option (`--comm=` is `--command`); a prefix shared by several is read as all
   * of them. Needs the tool's full long-option lists below to know what is unique.
   */
  abbreviations?: 'getopt' | 'none';
  /** Every long option of the tool; a trailing `=` marks one that takes a value (`--command=`). */
  longOptions?: string[];
  /** Per command path (`push`, `stash drop`): that subcommand's long options, in the same form. */
  commandLongOptions?: Record<string, string[]>;
  /**
   * The tool rewrites its own argv from configuration before running (`git`: `-c`, GIT_CONFIG_*,
   * aliases and remote push settings from its config files; src/match/git-config.ts).
   */
  config?: 'git';
  /**
   * Canonical flags that skip the tool's own confirmation prompt (`--yes`, `--confirm`, `--quiet`). A tool's
   * prompt is never consent: when one is given, a matched rule counts one severity higher.
   */
  promptSkip?: string[];
  /** Files and variables the tool reads on its own. */
  implicit?: ImplicitInput[];
  /** A terminal on stdin means an interactive session whose statements are never seen by the gate. */
  interactive?: InteractiveSpec[];
}

/** Regexes in match conditions are JavaScript (unicode mode); a leading `(?i)` makes one case-insensitive. */

/**
 * A match condition. All present keys must hold (AND). `any` is an OR of nested conditions,
 * `unless` vetoes the rule when it holds.
 */
export interface MatchSpec {
  /** Positional prefix: each element a word, a list of alternatives, or '*' for any word. */
  command?: Array<string | string[]>;
  /**
   * Flag conditions by canonical name: `true` present (and not `=false`/`=0`), `false` absent,
   * a string: a regex some value of the flag must match.
   */
  flags?: Record<string, boolean | string>;
  /** Regex that at least one positional after the command path must match. */
  args?: string;
  /** Regex that every positional after the command path must match (and there is at least one). */
  allArgs?: string;
  /**
   * Regexes for positionals by place after the command path (`'1'`: the second one, e.g. the
   * destination of `aws s3 sync SRC DST`); a missing positional does not match.
   */
  argAt?: Record<string, string>;
  /**
   * Some positional after the command path, read as a path the command deletes, is a protected
   * location (src/match/protected-paths.ts): `/`, a home, a system, data or backup dir, the repo root,
   * the current dir or one above it, or every entry of one (`~/*`). Resolved through symlinks, from
   * the words as written (`check`) or as the shell expanded them (`run`, the shim).
   */
  protectedPath?: boolean;
  /** Environment conditions: `true` set and non-empty, `false` unset, string: regex on the value. */
  env?: Record<string, boolean | string>;
  /** A payload analyzer must report one of these finding kinds. */
  payload?: { analyzer: string; kinds: string[] };
  /**
   * Some positional after the command path is a URL whose host is a platform API host — one that a
   * ruleset names in `credentials.hosts` (the same list the egress gate uses), or a subdomain of one —
   * or a word only known at run time.
   */
  apiHost?: boolean;
  any?: MatchSpec[];
  unless?: MatchSpec;
}

export interface Rule {
  id: string;
  severity: Severity;
  /** What is lost, in plain words. `{detail}` is replaced by the analyzer's finding. */
  message: string;
  alternative?: string;
  blast?: BlastFacts;
  match: MatchSpec;
  examples: { match: string[]; 'no-match': string[] };
}

export interface Ruleset {
  tool: string;
  description: string;
  /** Program basenames this ruleset guards. */
  binaries: string[];
  /** npm packages that provide the tool (`npx @railway/cli`), package → binary. */
  packages: Record<string, string>;
  /**
   * What the tool authenticates with and where that identity may travel: bound (as salted fingerprints)
   * into approvals, replaced by placeholders inside the sandbox, swapped back only toward `hosts`.
   * `env`: variable names, a trailing `*` is a prefix (`PG*`); `files`: paths, `~/` is the tool's home.
   */
  credentials?: { env?: string[]; files?: string[]; hosts?: string[] };
  grammar: Grammar;
  rules: Rule[];
  /** Rules on agents' MCP tool calls (hook adapters), beside the CLI rules of the same system. */
  mcp?: McpRule[];
  /** Where the ruleset came from (file path), for error messages and `rules show`. */
  source: string;
  origin: RuleOrigin;
}

/** One MCP tool call as a rule example: the harness's tool name (`mcp__<server>__<tool>`) and its arguments. */
export interface McpExample {
  tool: string;
  args: Record<string, unknown>;
}

/**
 * A rule on an MCP tool call: server and tool names are case-insensitive globs (`*` any run of
 * characters); all present conditions must hold. A call whose server name the harness does not give
 * (Cursor) is matched on the tool name alone.
 */
export interface McpRule {
  id: string;
  severity: Severity;
  /** What is lost; `{detail}` is the analyzer's finding, `{args.NAME}` an argument's value. */
  message: string;
  alternative?: string;
  blast?: BlastFacts;
  servers: string[];
  tools: string[];
  /** Argument conditions by JSON key: `true` present, `false` absent, a string: regex on its value. */
  args?: Record<string, boolean | string>;
  /** The first of `args` present is judged by `analyzer`; the rule fires on one of `kinds`. */
  payload?: { analyzer: string; args: string[]; kinds: string[] };
  /** What the call would hit: argument names shown (and checked against production names) as the target. */
  target?: { kind: string; fields: string[] };
  examples: { match: McpExample[]; 'no-match': McpExample[] };
}

/** Where a ruleset was read from; the trust each one gets is in src/trust/layers.ts. `env`: reached via HOME, XDG_* or BLASTGATE_*. */
export type RuleOrigin = 'builtin' | 'system' | 'user' | 'env' | 'project';

/** A user/project file that could not be used: its rules are not in force, and its tool's commands need confirmation. */
export interface LayerProblem {
  file: string;
  line: number | null;
  /** One line: `file:line: what is wrong`. */
  message: string;
  /** Programs whose commands need confirmation because of it; null = every guarded program. */
  binaries: string[] | null;
}

/** All loaded rulesets, indexed for the hot path. */
export interface RuleIndex {
  rulesets: Ruleset[];
  /** Program basename → indices into rulesets. */
  byBinary: Record<string, number[]>;
  /** npm package → program basename. */
  packages: Record<string, string>;
  /** Every platform API host the rulesets name (`credentials.hosts`), for the `apiHost` condition. */
  apiHosts?: string[];
  /** User/project rule files that were set aside (broken, or redefining a trusted rule id). */
  problems?: LayerProblem[];
}
