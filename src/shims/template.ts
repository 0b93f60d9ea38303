// Render one shim: a POSIX sh script that runs the prefilter and either execs the real tool directly
// or hands the command to `blastgate run`. Only shell builtins on the fast path: no fork, no node.
import { abbreviationsOf } from '../match/long-options.js';
import type { Atom, Prefilter, RuleCondition } from './prefilter.js';
import { SAVED_NODE_OPTIONS, SHIM_SIGNATURE, STAMP_FILE } from './marker.js';

/** Bumped whenever the generated text changes meaning; part of the generation hash. */
export const SHIM_TEMPLATE_VERSION = 5;

export interface ShimContext {
  /** Hash of this generation; also line 1 of the stamp file. A mismatch means the full check. */
  hash: string;
  /** The shim dir (its stamp file is STAMP_FILE inside it). */
  dir: string;
  node: string;
  bin: string;
  /** Files and dirs whose modification after the stamp means the rules may have changed. */
  watch: string[];
  /** Paths that did not exist at generation; their appearance means new rules. */
  absent: string[];
  /** $XDG_CONFIG_HOME (or $HOME/.config) and the system dir the rules were read from. */
  configHome: string;
  systemDir: string;
}

/** sh single-quoted literal. */
export const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

const nameOf = (spelling: string) => spelling.replace(/^-+/, '');

/** case patterns matching one argv word that spells the flag in any form the engine reads. */
const flagPatterns = (atom: Extract<Atom, { kind: 'flag' }>): string[] => {
  const s = atom.spelling;
  if (atom.style === 'go') {
    const n = shQuote(nameOf(s));
    return [`-${n}`, `-${n}=*`, `--${n}`, `--${n}=*`];
  }
  if (s.startsWith('--')) {
    const spellings = atom.abbreviable ? abbreviationsOf(s) : [s];
    return spellings.flatMap((p) => [shQuote(p), `${shQuote(p)}=*`]);
  }
  if (s.length === 2 && s.startsWith('-')) {
    // `-f`, `-f…` (attached value), or combined after other short flags: `-rf`, `-xvf`.
    const c = shQuote(s[1]!);
    return [`-${c}*`, `-[!-]*${c}*`];
  }
  return [shQuote(s), `${shQuote(s)}=*`];
};

/** A case pattern matching any word that contains `keyword`, in any letter case. */
const containsPattern = (keyword: string): string =>
  `*${[...keyword].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : shQuote(c))).join('')}*`;

/** The flag part of an inline-payload atom (tested as its own word atom). */
const flagOf = (atom: Extract<Atom, { kind: 'inline' }>): Extract<Atom, { kind: 'flag' }> => {
  const { keywords: _k, ...flag } = atom;
  return { ...flag, kind: 'flag' };
};

/** The keyword part of an inline-payload atom: some word contains one of the keywords. */
const keywordsOf = (atom: Extract<Atom, { kind: 'inline' }>) => ({ kind: 'keywords', keywords: atom.keywords });

/** case patterns for an argv-word atom; null for atoms tested another way. */
export const wordPatterns = (atom: Atom): string[] | null => {
  switch (atom.kind) {
    case 'word':
      return [shQuote(atom.word)];
    case 'flag':
      return flagPatterns(atom);
    case 'inline':
      return null;
    case 'positional':
      // Anything not shaped like a flag, a lone `-`, or `--` (after which every word is positional).
      return ["''", '-', '--', '[!-]*'];
    default:
      return null;
  }
};

/** Value-taking flag spellings: `definite` ones swallow the next word, `maybe` ones might. */
const valuePatterns = (p: Prefilter): { definite: string[]; maybe: string[] } => {
  const definite: string[] = [];
  const maybe: string[] = [];
  for (const s of p.valueSpellings) {
    if (p.style === 'go') definite.push(`-${shQuote(nameOf(s))}`, `--${shQuote(nameOf(s))}`);
    else if (s.startsWith('--') || s.length !== 2) definite.push(shQuote(s));
    else {
      definite.push(shQuote(s));
      maybe.push(`-[!-]*${shQuote(s[1]!)}`);
    }
  }
  return { definite, maybe };
};

const atomVar = (i: number) => `__bgs_a${i}`;

// `~/.psqlrc-*`, `/etc/x/psqlrc`, `$PSQLRC`: a test that holds when such a file may exist.
const pathTest = (template: string): string => {
  const glob = (rest: string) => rest.split('*').map((part) => (part ? shQuote(part) : '')).join('*');
  if (template.startsWith('~/')) return `{ [ -z "\${HOME-}" ] || __bgs_any "$HOME"${glob(template.slice(1))}; }`;
  const v = /^\$([A-Za-z_][A-Za-z0-9_]*)(.*)$/.exec(template);
  if (v) return `{ [ -n "\${${v[1]}-}" ] && __bgs_any "$${v[1]}"${glob(v[2]!)}; }`;
  if (template.startsWith('/')) return `__bgs_any ${glob(template)}`;
  return 'true';
};

const atomTest = (atom: Atom, ids: Map<string, number>): string => {
  if (atom.kind === 'env') return `[ -n "\${${atom.name}+x}" ]`;
  if (atom.kind === 'path') return pathTest(atom.template);
  if (atom.kind === 'tty') return '[ -t 0 ]';
  // Not a terminal and not /dev/null: a pipe, file or socket may carry a payload.
  if (atom.kind === 'stdin') return '{ ! [ -t 0 ] && ! [ /dev/stdin -ef /dev/null ]; }';
  if (atom.kind === 'inline') {
    return `{ [ -n "$${atomVar(ids.get(JSON.stringify(flagOf(atom)))!)}" ] && [ -n "$${atomVar(ids.get(JSON.stringify(keywordsOf(atom)))!)}" ]; }`;
  }
  return `[ -n "$${atomVar(ids.get(JSON.stringify(atom))!)}" ]`;
};

const ruleTest = (rule: RuleCondition, ids: Map<string, number>): string =>
  rule.clauses
    .map((clause) => {
      const tests = clause.map((a) => atomTest(a, ids));
      return tests.length === 1 ? tests[0]! : `{ ${tests.join(' || ')}; }`;
    })
    .join(' && ');

/**
 * The full check as a protocol: `blastgate run` answers on a private fd (9 inside the command
 * substitution, the shim's stdout on 8) with one line carrying this shim's nonce, and the shim itself
 * execs the tool: argv and environment bytes, fds, signal dispositions and the process id stay the
 * tool's own. No positive answer (a broken or truncated install) means 77: nothing runs.
 *   allow N          exec the tool
 *   stdin N FILE     exec the tool with FILE (the stdin the check read, byte for byte) as stdin
 *   done N           blastgate ran or refused the command: exit with its status
 */
const fullCheck = (ctx: ShimContext, tool: string) => {
  const run = `run --answer-fd 9 --nonce "$$" $__bgs_no -- ${shQuote(tool)} "$@"`;
  const broken = shQuote(`blastgate: ${tool} not run: no verdict from ${ctx.bin} (exit `) + '"$__bgs_s"' + shQuote('); is the install broken? see `blastgate doctor`');
  return `__bgs_full() {
  { __bgs_t=$(exec 9>&1 1>&8 8>&-
    __bgs_no= __bgs_n=$(ulimit -n 2>/dev/null)
    # Node needs ~20 descriptors (it crashes below); raised for node only, the tool keeps the caller's limit.
    case $__bgs_n in [0-9]|1[0-9]|2[0-9]) ulimit -S -n 64 2>/dev/null || { printf '%s\\n' ${shQuote(`blastgate: ${tool} not run: blastgate needs at least 30 open files, and the limit is `)}"$__bgs_n (ulimit -n)" >&2; printf 'done %s\\n' "$$" >&9; exit 77; } ;; esac
    if [ -n "\${NODE_OPTIONS+x}" ]; then ${SAVED_NODE_OPTIONS}=$NODE_OPTIONS; export ${SAVED_NODE_OPTIONS}; unset NODE_OPTIONS; __bgs_no=--node-options; fi
    if [ -x ${shQuote(ctx.node)} ]; then exec ${shQuote(ctx.node)} ${shQuote(ctx.bin)} ${run}; fi
    exec ${shQuote(ctx.bin)} ${run}
  ); } 8>&1
  __bgs_s=$?
  case $__bgs_t in
    "allow $$") exec "$__bgs_real" "$@" ;;
    "stdin $$ /"*) __bgs_t=\${__bgs_t#"stdin $$ "}; exec <"$__bgs_t" && command -p rm -rf -- "\${__bgs_t%/*}"; exec "$__bgs_real" "$@" ;;
    "done $$") exit "$__bgs_s" ;;
  esac
  printf '%s\\n' ${broken} >&2
  exit 77
}`;
};

// The stamp must carry this generation's hash and nothing the rules come from may be newer than it.
const staleness = (ctx: ShimContext) => {
  const stamp = shQuote(`${ctx.dir}/${STAMP_FILE}`);
  const lines = [
    '__bgs_h=',
    `read -r __bgs_h 2>/dev/null <${stamp} || :`,
    `[ "$__bgs_h" = ${shQuote(ctx.hash)} ] || __bgs_full "$@"`,
  ];
  if (ctx.watch.length) lines.push(`for __bgs_f in ${ctx.watch.map(shQuote).join(' ')}; do [ "$__bgs_f" -nt ${stamp} ] && __bgs_full "$@"; done`);
  if (ctx.absent.length) lines.push(`for __bgs_f in ${ctx.absent.map(shQuote).join(' ')}; do [ -e "$__bgs_f" ] && __bgs_full "$@"; done`);
  lines.push(
    // Rules are read from $XDG_CONFIG_HOME and $BLASTGATE_SYSTEM_DIR: another value, other rules.
    'case ${XDG_CONFIG_HOME-} in /*) __bgs_c=$XDG_CONFIG_HOME ;; *) __bgs_c=${HOME-}/.config ;; esac',
    `[ "$__bgs_c" = ${shQuote(ctx.configHome)} ] || __bgs_full "$@"`,
    `[ "\${BLASTGATE_SYSTEM_DIR:-/etc/blastgate}" = ${shQuote(ctx.systemDir)} ] || __bgs_full "$@"`,
  );
  return lines.join('\n');
};

// Project rules (.blastgate/rules at or above the physical cwd) are unknown to the shim: full check.
const projectRules = `__bgs_walk() {
  __bgs_d=$1
  while :; do
    [ -e "$__bgs_d/.blastgate/rules" ] && __bgs_go=1
    [ -h "$__bgs_d" ] && __bgs_l=1
    [ -n "$__bgs_d" ] || break
    __bgs_d=\${__bgs_d%/*}
  done
}
__bgs_go= __bgs_l=
# An empty PWD: the shell could not get the cwd (deleted under us); blastgate then decides from \`/\`.
case $PWD in /*) __bgs_walk "$PWD" ;; '') __bgs_walk '' ;; *) __bgs_go=1 ;; esac
if [ -n "$__bgs_l" ] && [ -z "$__bgs_go" ]; then
  # A symlink on the way: blastgate walks the physical path. \`cd -P .\` finds it without a fork;
  # PWD and OLDPWD are put back so the tool's environment is untouched.
  __bgs_pwd=$PWD __bgs_op=\${OLDPWD-} __bgs_os=\${OLDPWD+x}
  if cd -P . 2>/dev/null; then __bgs_phys=$PWD; else __bgs_phys=; __bgs_go=1; fi
  PWD=$__bgs_pwd
  if [ -n "$__bgs_os" ]; then OLDPWD=$__bgs_op; else unset OLDPWD; fi
  [ -n "$__bgs_phys" ] && __bgs_walk "$__bgs_phys"
fi
[ -z "$__bgs_go" ] || __bgs_full "$@"`;

// TF_CLI_ARGS-style variables add words the shim cannot see in "$@".
const envArgs = (p: Prefilter): string => {
  const whole = p.envArgs.filter((v) => !v.perCommand);
  const perCommand = p.envArgs.filter((v) => v.perCommand);
  const lines = whole.map((v) => `[ -n "\${${v.prefix}-}" ] && __bgs_full "$@"`);
  if (perCommand.length === 0) return lines.join('\n');
  const { definite, maybe } = valuePatterns(p);
  const checks = perCommand
    .map((v) => `  __bgs_n=${shQuote(v.prefix)}"$1"${shQuote(v.suffix)}
  case $__bgs_n in ''|[0-9]*|*[!A-Za-z0-9_]*) __bgs_go=1; return ;; esac
  eval "__bgs_v=\\\${$__bgs_n-}"
  [ -n "$__bgs_v" ] && __bgs_go=1`)
    .join('\n');
  // Every word that could be the first positional (the subcommand) names a variable to check.
  lines.push(`__bgs_cand() {
${checks}
  return 0
}
__bgs_s= __bgs_m= __bgs_dd=
for __bgs_w do
  if [ -n "$__bgs_dd" ]; then __bgs_cand "$__bgs_w"; break; fi
  if [ -n "$__bgs_s" ]; then __bgs_s=; continue; fi
  case $__bgs_w in
    --) [ -n "$__bgs_m" ] && __bgs_go=1; __bgs_dd=1 ;;
    ''|-|[!-]*) __bgs_cand "$__bgs_w"; [ -n "$__bgs_m" ] || break; __bgs_m= ;;${definite.length ? `
    ${definite.join('|')}) if [ -n "$__bgs_m" ]; then __bgs_m=1; else __bgs_s=1; fi ;;` : ''}${maybe.length ? `
    ${maybe.join('|')}) __bgs_m=1 ;;` : ''}
    *) __bgs_m= ;;
  esac
done
[ -z "$__bgs_go" ] || __bgs_full "$@"`);
  return lines.join('\n');
};

// A first positional that is none of the tool's own commands may be an alias from its config files.
const aliasCheck = (p: Prefilter): string => {
  if (!p.aliases) return '';
  return `__bgs_s=
for __bgs_w do
  if [ -n "$__bgs_s" ]; then __bgs_s=; continue; fi
  case $__bgs_w in
    ${p.aliases.valueSpellings.map(shQuote).join('|')}) __bgs_s=1 ;;
    -*) ;;
    ${p.aliases.commands.map(shQuote).join('|')}) break ;;
    *) __bgs_full "$@" ;;
  esac
done`;
};

// A rule whose clauses include all of another rule's clauses is implied by it: only the weaker stays.
const essentialTests = (rules: RuleCondition[], ids: Map<string, number>): string[] => {
  const asSets = rules.map((r) => new Set(r.clauses.map((c) => ruleTest({ rule: r.rule, clauses: [c] }, ids))));
  const keep = asSets.filter((mine, i) =>
    !asSets.some((other, j) => j !== i && [...other].every((c) => mine.has(c)) && (other.size < mine.size || j < i)),
  );
  return [...new Set(keep.map((set) => [...set].join(' && ')))];
};

// One variable per argv-word atom, set while scanning "$@"; then each rule's condition.
const ruleChecks = (p: Prefilter): string => {
  const ids = new Map<string, number>();
  const patterns: string[][] = [];
  for (const rule of p.rules) {
    for (const clause of rule.clauses) {
      for (const atom of clause) {
        const parts: Array<[string, string[] | null]> =
          atom.kind === 'inline'
            ? [[JSON.stringify(flagOf(atom)), flagPatterns(flagOf(atom))], [JSON.stringify(keywordsOf(atom)), atom.keywords.map(containsPattern)]]
            : [[JSON.stringify(atom), wordPatterns(atom)]];
        for (const [k, pats] of parts) {
          if (pats && !ids.has(k)) {
            ids.set(k, patterns.length);
            patterns.push(pats);
          }
        }
      }
    }
  }
  const lines: string[] = [];
  if (p.rules.some((r) => r.clauses.some((c) => c.some((a) => a.kind === 'path')))) {
    lines.push('__bgs_any() { for __bgs_f do { [ -e "$__bgs_f" ] || [ -h "$__bgs_f" ]; } && return 0; done; return 1; }');
  }
  if (patterns.length) {
    lines.push(`${patterns.map((_, i) => `${atomVar(i)}=`).join(' ')}`);
    lines.push('for __bgs_w do');
    lines.push(`  case $__bgs_w in ${[...new Set(patterns.flat())].join('|')}) ;; *) continue ;; esac`);
    patterns.forEach((pats, i) => lines.push(`  case $__bgs_w in ${pats.join('|')}) ${atomVar(i)}=1 ;; esac`));
    lines.push('done');
  }
  for (const t of essentialTests(p.rules, ids)) lines.push(`if ${t}; then __bgs_full "$@"; fi`);
  return lines.join('\n');
};

// PATH walk as the shell does it, minus relative entries and shim dirs (marked by their stamp file).
// A guarded tool that is not installed behaves as the shell would have: not found, 127.
const findReal = (tool: string) => `__bgs_p=\${PATH-}: __bgs_real=
while [ -n "$__bgs_p" ]; do
  __bgs_d=\${__bgs_p%%:*} __bgs_p=\${__bgs_p#*:}
  case $__bgs_d in /*) ;; *) continue ;; esac
  [ -e "$__bgs_d/${STAMP_FILE}" ] && continue
  __bgs_c=$__bgs_d/${shQuote(tool)}
  if [ -f "$__bgs_c" ] && [ -x "$__bgs_c" ] && ! [ "$__bgs_c" -ef "$0" ]; then __bgs_real=$__bgs_c; break; fi
done
if [ -z "$__bgs_real" ]; then printf '%s\\n' ${shQuote(`${tool}: command not found`)} >&2; exit 127; fi
# The tool would have seen its own path in $_ (bash exports the path it ran).
[ "\${_-}" = "$0" ] && _=$__bgs_real`;

/**
 * The shim's own variables must not change the tool's environment: a caller that exported one of
 * them (its value would be overwritten) is handed to `blastgate run` before the shim assigns anything,
 * and node runs the tool with that environment as it came.
 */
const ownVariablesGuard = (body: string, ctx: ShimContext, tool: string): string => {
  const functions = new Set([...body.matchAll(/^\s*(__bgs_\w+)\(\)/gm)].map((m) => m[1]!));
  const names = [...new Set([...body.matchAll(/__bgs_\w+/g)].map((m) => m[0]))].filter((n) => !functions.has(n)).sort();
  const node = shQuote(ctx.node);
  const bin = shQuote(ctx.bin);
  return `case ${names.map((n) => `\${${n}+x}`).join('')} in ?*)
  if [ -n "\${NODE_OPTIONS+x}" ]; then ${SAVED_NODE_OPTIONS}=$NODE_OPTIONS; export ${SAVED_NODE_OPTIONS}; unset NODE_OPTIONS; set -- --node-options -- ${shQuote(tool)} "$@"; else set -- -- ${shQuote(tool)} "$@"; fi
  if [ -x ${node} ]; then exec ${node} ${bin} run "$@"; fi
  exec ${bin} run "$@" ;;
esac`;
};

/** The complete shim text for one tool. */
export const renderShim = (p: Prefilter, ctx: ShimContext): string => {
  const top = `#!/bin/sh
${SHIM_SIGNATURE} ${p.tool} v${SHIM_TEMPLATE_VERSION} ${ctx.hash}
# Generated by \`blastgate shims rehash\`: edits are overwritten. \`blastgate doctor\` explains the setup.`;
  const body = renderBody(p, ctx);
  return `${top}
${ownVariablesGuard(body, ctx, p.tool)}
${body}`;
};

const renderBody = (p: Prefilter, ctx: ShimContext): string => {
  const head = `${fullCheck(ctx, p.tool)}
${findReal(p.tool)}`;
  if (p.always !== null || /[^A-Za-z0-9._+-]/.test(p.tool)) {
    return `${head}
# Every invocation takes the full check: ${p.always ?? 'unusual program name'}.
__bgs_full "$@"
`;
  }
  return `${head}
# Fast path: exec ${p.tool} directly when no rule can match; otherwise \`blastgate run\`.
${staleness(ctx)}
${projectRules}
${envArgs(p)}
${aliasCheck(p)}
${ruleChecks(p)}
exec "$__bgs_real" "$@"
`;
};
