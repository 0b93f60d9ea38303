// npm-family runners: `npx pkg`, `pnpm dlx`, `bunx`, `yarn dlx`, `npm exec`, and `npm|yarn|pnpm run SCRIPT`
// (the script's text from package.json runs in a shell).
import { basename, drop, type Handler, type Outcome, type State, type UnwrapContext } from './state.js';
import { has, readOptions } from './options.js';

const NPM_VALUE_OPTIONS = ['registry', 'cache', 'prefix', 'userconfig', 'globalconfig', 'loglevel', 'node-options',
  'scope', 'workspace', 'filter', 'dir', 'reporter', 'resume-from', 'shell'];

/** `npx [opts] pkg[@ver] args`, `npx -p pkg cmd args`, `npx -c 'script'` (also bunx, npm exec, pnpm dlx …). */
export function npmRunner(state: State, ctx: UnwrapContext, from: number, label: string, isWrapper: (name: string) => boolean): Outcome {
  const read = readOptions(state.argv, from, {
    flags: 'yqrw',
    values: 'pcF',
    longValues: ['package', 'call', ...NPM_VALUE_OPTIONS],
    longFlags: ['yes', 'no', 'no-install', 'quiet', 'ignore-existing', 'bun', 'recursive', 'workspaces',
      'include-workspace-root', 'shell-mode', 'silent', 'parallel'],
    lenient: true,
  });
  if (state.dynamic.some((d) => d >= from && d < read.next)) return { kind: 'unknown', reason: `${label} options only known at run time` };
  const call = read.options.find((o) => (o.name === '-c' || o.name === '--call') && o.value !== undefined);
  const shellMode = has(read, '--shell-mode');
  if (call?.value !== undefined && !(label === 'pnpm exec' || label === 'pnpm dlx')) {
    return { kind: 'nested', wrapper: `${label} -c`, script: call.value };
  }
  // pnpm's -c means --shell-mode: the words after it are a shell command line.
  if (shellMode || call) {
    const words = [...(call?.value !== undefined ? [call.value] : []), ...state.argv.slice(read.next)];
    return words.length === 0 ? { kind: 'final' } : { kind: 'nested', wrapper: `${label} -c`, script: words.join(' ') };
  }
  if (read.next >= state.argv.length) return { kind: 'final' };
  const explicitPackages = read.options.some((o) => o.name === '-p' || o.name === '--package');
  drop(state, read.next, label);
  const spec = state.argv[0]!;
  // With --package (or for `pnpm exec`/`yarn exec`) the first operand is already a binary name.
  const binaryNamed = explicitPackages || label === 'pnpm exec' || label === 'yarn exec';
  const program = binaryNamed ? basename(spec) : binaryOfPackage(spec, ctx.packages);
  // `npx sh -c …`, `npx sudo …`, `npx env …`: a binary that is itself a wrapper is peeled like one.
  if (program === basename(spec) && isWrapper(program)) return { kind: 'peeled' };
  state.program = program;
  return { kind: 'final' };
}

/** `npm exec …`, `pnpm dlx …`, `yarn dlx …`, `bun x …`, `npm run S`: skip the tool's own options, then a runner. */
function subcommandRunner(runners: Record<string, string>): (state: State, ctx: UnwrapContext, isWrapper: (n: string) => boolean) => Outcome {
  return (state, ctx, isWrapper) => {
    const read = readOptions(state.argv, 1, { flags: 'rwgsd', values: 'CF', longValues: NPM_VALUE_OPTIONS, lenient: true });
    const sub = state.argv[read.next];
    if (state.dynamic.includes(read.next)) return { kind: 'unknown', reason: `${basename(state.argv[0]!)} subcommand only known at run time` };
    const label = sub === undefined ? undefined : runners[sub];
    if (!label) return { kind: 'final' };
    if (label.endsWith(' run')) return runScript(state, ctx, read.next + 1, label);
    return npmRunner(state, ctx, read.next + 1, label, isWrapper);
  };
}

const RUN_SUBCOMMANDS = { run: 'run', 'run-script': 'run', rum: 'run', urn: 'run' };

export const npmRunners = (isWrapper: (name: string) => boolean): Record<string, Handler> => {
  const npm = subcommandRunner({ exec: 'npm exec', x: 'npm exec', ...prefixed('npm', RUN_SUBCOMMANDS), test: 'npm run', t: 'npm run', start: 'npm run' });
  const pnpm = subcommandRunner({ dlx: 'pnpm dlx', exec: 'pnpm exec', ...prefixed('pnpm', RUN_SUBCOMMANDS) });
  const yarn = subcommandRunner({ dlx: 'yarn dlx', exec: 'yarn exec', run: 'yarn run' });
  const bun = subcommandRunner({ x: 'bunx', run: 'bun run' });
  return {
    npx: (state, ctx) => npmRunner(state, ctx, 1, 'npx', isWrapper),
    bunx: (state, ctx) => npmRunner(state, ctx, 1, 'bunx', isWrapper),
    npm: (state, ctx) => npm(state, ctx, isWrapper),
    pnpm: (state, ctx) => pnpm(state, ctx, isWrapper),
    yarn: (state, ctx) => yarn(state, ctx, isWrapper),
    bun: (state, ctx) => bun(state, ctx, isWrapper),
  };
};

const prefixed = (tool: string, subs: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(subs).map(([sub, label]) => [sub, `${tool} ${label}`]));

/**
 * `npm run NAME [-- args]`: runs `pre<NAME>`, the script and `post<NAME>` from ./package.json in a shell
 * (`npm test` / `npm start` are `run test` / `run start`). A script we cannot read is unknown for agents.
 */
function runScript(state: State, ctx: UnwrapContext, at: number, label: string): Outcome {
  const sub = state.argv[at - 1]!;
  const implied = sub === 'test' || sub === 't' || sub === 'start' ? (sub === 'start' ? 'start' : 'test') : undefined;
  let i = at;
  while (implied === undefined && i < state.argv.length && state.argv[i]!.startsWith('-') && state.argv[i] !== '--') i++;
  const name = implied ?? state.argv[i];
  if (name === undefined) return { kind: 'final' }; // lists the scripts
  if (implied === undefined && state.dynamic.includes(i)) return { kind: 'unknown', reason: `${label}: script name only known at run time` };
  if (!ctx.readFile) return { kind: 'final' };
  const text = ctx.readFile('package.json');
  if (text === undefined) return { kind: 'final' }; // no package.json: npm fails, nothing runs
  if (text === null) {
    return { kind: 'final', unknown: { reason: `${label} ${name}: runs a package.json script that could not be read`, agentOnly: true } };
  }
  let scripts: Record<string, unknown>;
  try {
    scripts = ((JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts ?? {});
  } catch {
    return { kind: 'final', unknown: { reason: `${label} ${name}: package.json is not valid JSON`, agentOnly: true } };
  }
  const dashDash = state.argv.indexOf('--', i);
  const extra = dashDash < 0 ? (implied ? state.argv.slice(at) : state.argv.slice(i + 1)) : state.argv.slice(dashDash + 1);
  if (typeof scripts[name] !== 'string') return { kind: 'final' }; // npm reports a missing script
  const main = `${scripts[name] as string}${extra.length ? ` ${extra.map(shellQuote).join(' ')}` : ''}`;
  const hook = (key: string): string[] => (typeof scripts[key] === 'string' ? [scripts[key] as string] : []);
  const script = [...hook(`pre${name}`), main, ...hook(`post${name}`)].join('\n');
  return { kind: 'nested', wrapper: `${label} ${name}`, script, fromDisk: true };
}

const shellQuote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** The binary an npm package spec provides: the configured mapping, else its name without scope/version. */
export function binaryOfPackage(spec: string, packages: Record<string, string>): string {
  const name = packageName(spec);
  const mapped = packages[name];
  if (mapped) return mapped;
  const base = basename(name.replace(/[#?].*$/, '')).replace(/\.(tgz|tar\.gz)$/, '');
  return base.replace(/^@/, '');
}

/** `@railway/cli@3.0.0` → `@railway/cli`; `cowsay@1` → `cowsay`. */
function packageName(spec: string): string {
  if (spec.startsWith('@')) {
    const at = spec.indexOf('@', 1);
    return at < 0 ? spec : spec.slice(0, at);
  }
  const at = spec.indexOf('@');
  return at <= 0 ? spec : spec.slice(0, at);
}
