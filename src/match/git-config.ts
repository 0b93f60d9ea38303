// What git will really run once its configuration is applied: `-c alias.fp='push --force' fp` is a
// force push, `-c remote.origin.push=+main:main push origin` pushes with `+`. Configuration comes from
// `-c`/`--config-env`, GIT_CONFIG_COUNT/KEY_n/VALUE_n, GIT_CONFIG_PARAMETERS and the config files git
// reads; a file that cannot be read or that includes others makes the command unknown.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as shellParse } from 'shell-quote';

/** git's own commands (`git --list-cmds=main`, git 2.39): an alias never shadows one of them. */
export const GIT_COMMANDS = new Set(`add am annotate apply archive bisect blame branch bugreport bundle cat-file check-attr
check-ignore check-mailmap check-ref-format checkout checkout-index cherry cherry-pick clean clone column commit
commit-graph commit-tree config count-objects credential credential-cache credential-store daemon describe diagnose
diff diff-files diff-index diff-tree difftool fast-export fast-import fetch fetch-pack filter-branch fmt-merge-msg
for-each-ref for-each-repo format-patch fsck fsck-objects gc get-tar-commit-id grep hash-object help hook
http-backend http-fetch http-push imap-send index-pack init init-db instaweb interpret-trailers log ls-files
ls-remote ls-tree mailinfo mailsplit maintenance merge merge-base merge-file merge-index merge-octopus
merge-one-file merge-ours merge-recursive merge-resolve merge-subtree merge-tree mergetool mktag mktree
multi-pack-index mv name-rev notes pack-objects pack-redundant pack-refs patch-id prune prune-packed pull push
quiltimport range-diff read-tree rebase receive-pack reflog remote repack replace request-pull rerere reset restore
rev-list rev-parse revert rm send-pack shell shortlog show show-branch show-index show-ref sparse-checkout stage
stash status stripspace submodule subtree switch symbolic-ref tag unpack-file unpack-objects update-index
update-ref update-server-info upload-archive upload-pack var verify-commit verify-pack verify-tag version
whatchanged worktree write-tree`.split(/\s+/));

/** git's options before the subcommand that take a value as the next word. */
export const GLOBAL_VALUED = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--config-env', '--exec-path', '--list-cmds', '--attr-source']);

/** Config keys whose value git runs as a shell command (judged like any command line). */
const COMMAND_KEYS = /^(?:core\.sshcommand|core\.fsmonitor|core\.pager|core\.editor|core\.askpass|sequence\.editor|diff\.external|gpg\.program|gpg\.[a-z]+\.program|uploadpack\.packobjectshook|credential\.helper|pager\.[^.]+|(?:diff|merge|filter)\..+\.(?:command|textconv|driver|clean|smudge|process|cmd)|mergetool\..+\.cmd|difftool\..+\.cmd)$/;

/** How deep aliases may refer to aliases (git itself stops at loops). */
const MAX_ALIAS_DEPTH = 8;

export interface GitView {
  /** git's arguments with aliases expanded and config-given refspecs put in. */
  args: string[];
  /** Shell command lines git would run (`!` aliases, core.sshCommand …): judged as their own lines. */
  nested: string[];
  /** Why what git runs cannot be known (unreadable or including config files). */
  unknown: string | null;
}

type Pair = [key: string, value: string];

// git lower-cases section and variable names; a subsection (`remote.Origin.push`) keeps its case.
const normKey = (key: string): string => {
  const first = key.indexOf('.');
  const last = key.lastIndexOf('.');
  if (first < 0) return key.toLowerCase();
  return first === last ? key.toLowerCase() : `${key.slice(0, first).toLowerCase()}${key.slice(first, last)}${key.slice(last).toLowerCase()}`;
};

const splitPair = (text: string): Pair => {
  const eq = text.indexOf('=');
  // `-c name` without `=` means true.
  return eq < 0 ? [normKey(text), 'true'] : [normKey(text.slice(0, eq)), text.slice(eq + 1)];
};

/** GIT_CONFIG_PARAMETERS: space-separated single-quoted `'key'='value'` (or older `'key=value'`). */
const parametersPairs = (value: string): Pair[] =>
  shellParse(value, (name: string) => `$${name}`).flatMap((t) => (typeof t === 'string' ? [splitPair(t)] : []));

/** Minimal git config file reader: `[section "sub"]` headers, `key = value` lines, quotes and `;`/`#` comments. */
const parseConfigFile = (text: string): { pairs: Pair[]; includes: boolean } => {
  const pairs: Pair[] = [];
  let section = '';
  let includes = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(.*)$/.exec(line);
    if (header) {
      section = header[2] !== undefined ? `${header[1]!.toLowerCase()}.${header[2].replace(/\\(.)/g, '$1')}` : header[1]!.toLowerCase();
      if (/^include(?:if)?\b/.test(section)) includes = true;
      if (!header[3]) continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(header ? header[3]! : line);
    if (!kv || !section) continue;
    let value = kv[2] ?? 'true';
    // Quoted parts keep their text; an unquoted `#`/`;` starts a comment.
    let out = '';
    let quoted = false;
    for (let i = 0; i < value.length; i++) {
      const c = value[i]!;
      if (c === '"') quoted = !quoted;
      else if (c === '\\' && i + 1 < value.length) out += { n: '\n', t: '\t', b: '\b' }[value[++i]!] ?? value[i];
      else if (!quoted && (c === '#' || c === ';')) break;
      else out += c;
    }
    value = out.trim();
    pairs.push([`${section}.${kv[1]!.toLowerCase()}`, value]);
  }
  return { pairs, includes };
};

interface Files {
  pairs: Pair[];
  problem: string | null;
}

/** The config files git reads, in order (system, global, local): their pairs, or why they cannot be read. */
const readConfigFiles = (env: Record<string, string | undefined>, repoDir: string | null): Files => {
  const home = env.HOME;
  const files: string[] = [];
  if (!env.GIT_CONFIG_NOSYSTEM) files.push(env.GIT_CONFIG_SYSTEM ?? '/etc/gitconfig');
  if (env.GIT_CONFIG_GLOBAL !== undefined) files.push(env.GIT_CONFIG_GLOBAL);
  else {
    const xdg = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : home ? join(home, '.config') : null;
    if (xdg) files.push(join(xdg, 'git', 'config'));
    if (home) files.push(join(home, '.gitconfig'));
  }
  if (repoDir) files.push(join(repoDir, 'config'));
  if (env.GIT_CONFIG) files.push(env.GIT_CONFIG);
  const pairs: Pair[] = [];
  for (const file of files) {
    if (!file || file === '/dev/null' || !existsSync(file)) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      return { pairs, problem: `git reads ${file}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    const parsed = parseConfigFile(text);
    if (parsed.includes) return { pairs, problem: `git config ${file} includes other files, which blastgate does not follow` };
    pairs.push(...parsed.pairs);
  }
  return { pairs, problem: null };
};

/** The repository's git dir: GIT_DIR/--git-dir, else `.git` at or above the directory git runs in. */
const gitDirOf = (cwd: string, gitDir: string | undefined): string | null => {
  if (gitDir) return resolve(cwd, gitDir);
  for (let d = cwd; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return join(d, '.git');
    if (dirname(d) === d) return null;
  }
};

/** Split an alias value into words the way git does (quotes and backslashes, no expansions). */
const aliasWords = (value: string): string[] =>
  shellParse(value.replace(/\$/g, '\\$')).flatMap((t) => (typeof t === 'string' ? [t] : []));

/**
 * Read git's argv the way git does before running a subcommand: collect configuration, expand an
 * alias (a `!` alias is a shell command line), and add the push refspecs/mirror a remote is configured with.
 */
export const gitView = (args: string[], env: Record<string, string | undefined>, cwd: string): GitView => {
  const commandLine: Pair[] = [];
  let i = 0;
  let dir = cwd;
  let gitDir = env.GIT_DIR;
  for (; i < args.length; i++) {
    const w = args[i]!;
    if (!w.startsWith('-') || w === '--') break;
    const eq = w.indexOf('=');
    const name = w.startsWith('--') && eq > 0 ? w.slice(0, eq) : w;
    const value = w.startsWith('--') && eq > 0 ? w.slice(eq + 1) : GLOBAL_VALUED.has(w) ? args[++i] : undefined;
    if (value === undefined) continue;
    if (name === '-c') commandLine.push(splitPair(value));
    else if (name === '--config-env') {
      const at = value.lastIndexOf('=');
      if (at > 0) commandLine.push([normKey(value.slice(0, at)), env[value.slice(at + 1)] ?? '']);
    } else if (name === '-C') dir = resolve(dir, value);
    else if (name === '--git-dir') gitDir = value;
  }
  const globals = args.slice(0, i);
  let rest = args.slice(i);
  const fromEnv: Pair[] = [];
  const count = Number(env.GIT_CONFIG_COUNT ?? 0);
  for (let n = 0; n < count && n < 1000; n++) {
    const key = env[`GIT_CONFIG_KEY_${n}`];
    if (key) fromEnv.push([normKey(key), env[`GIT_CONFIG_VALUE_${n}`] ?? '']);
  }
  if (env.GIT_CONFIG_PARAMETERS) fromEnv.push(...parametersPairs(env.GIT_CONFIG_PARAMETERS));
  let files: Files | null = null;
  const fileConfig = () => (files ??= readConfigFiles(env, gitDirOf(dir, gitDir)));
  const given = [...fromEnv, ...commandLine];
  /** Every value of a key, files first, the command line last (git's order: the last one wins). */
  const all = (key: string, withFiles: boolean): string[] =>
    [...(withFiles ? fileConfig().pairs : []), ...given].filter(([k]) => k === key).map(([, v]) => v);
  const nested: string[] = [];
  let unknown: string | null = null;
  for (const [key, value] of given) if (COMMAND_KEYS.test(key) && value) nested.push(value);

  for (let depth = 0; depth < MAX_ALIAS_DEPTH && rest.length > 0 && !GIT_COMMANDS.has(rest[0]!); depth++) {
    const values = all(`alias.${rest[0]!.toLowerCase()}`, true);
    if (values.length === 0) {
      if (fileConfig().problem) unknown = `\`git ${rest[0]}\` may be an alias: ${fileConfig().problem}`;
      break;
    }
    const value = values[values.length - 1]!;
    if (value.startsWith('!')) {
      // git runs it with `sh -c 'VALUE "$@"' VALUE ARGS…`: the arguments follow the command.
      nested.push([value.slice(1), ...rest.slice(1).map((a) => `'${a.replace(/'/g, `'\\''`)}'`)].join(' '));
      rest = [];
      break;
    }
    rest = [...aliasWords(value), ...rest.slice(1)];
  }
  if (rest[0] === 'push') rest = withPushConfig(rest, (key) => all(key, true));
  if (files !== null && (files as Files).problem && rest[0] === 'push' && !unknown) unknown = (files as Files).problem;
  return { args: [...globals, ...rest], nested, unknown };
};

/** `git push [remote]` without refspecs pushes what `remote.<name>.push` says; `remote.<name>.mirror` makes it a mirror push. */
const withPushConfig = (rest: string[], values: (key: string) => string[]): string[] => {
  const positionals = rest.slice(1).filter((w) => !w.startsWith('-'));
  const remote = positionals[0] ?? 'origin';
  const extra: string[] = [];
  const mirror = values(`remote.${remote}.mirror`).pop();
  if (mirror && !/^(?:false|no|off|0)$/i.test(mirror)) extra.push('--mirror');
  if (positionals.length <= 1) {
    const refspecs = values(`remote.${remote}.push`);
    if (refspecs.length > 0) extra.push(...(positionals.length === 0 ? [remote] : []), ...refspecs);
  }
  return extra.length === 0 ? rest : [...rest, ...extra];
};
