// Blast radius of a terraform / tofu command: working dir, workspace, backend, and the resources the
// command would destroy or forget, read with the tool's own read-only `state list` / `show -json`.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { findRealBinary } from '../stages/exec.js';
import type { FieldValue, Invocation, Target } from '../types.js';
import type { ResolveContext, Resolver } from './types.js';
import { dataHolding, isManaged, resourceCount, selects } from './terraform-addresses.js';
import { flagOn, flagValues, readTerraformArgs, type TerraformArgs } from './terraform-args.js';
import { lineMayChangePlan, lockedProviders, planApply, summarizePlan, type PlanSummary } from './terraform-plan.js';
import { runBounded, type RunOutcome } from './terraform-run.js';
import { isDir, readWorkdir, type Workdir } from './terraform-workdir.js';

/** How many addresses the panel lists by name. */
const NAMES_SHOWN = 10;
const DATA_SHOWN = 20;

type Action =
  | { kind: 'destroy' }
  | { kind: 'workspace-delete'; workspace: string; force: boolean }
  | { kind: 'state-rm'; addresses: string[] }
  | { kind: 'state-push'; source: string }
  | { kind: 'replace'; addresses: string[] }
  | { kind: 'saved-plan'; plan: string }
  | { kind: 'planned-apply' }
  | { kind: 'other' };

// An agent's apply without a saved plan is planned first: its own "yes" prompt is no consent (an agent can
// answer it from stdin or a PTY), so what the apply would delete must be known before it runs.
const actionOf = (a: TerraformArgs, actor: ResolveContext['actor']): Action => {
  const [cmd, sub] = a.command;
  if (cmd === 'apply' && actor === 'agent' && !a.args[0] && !flagOn(a, '-destroy')) return { kind: 'planned-apply' };
  if (cmd === 'destroy' || (cmd === 'apply' && flagOn(a, '-destroy'))) return { kind: 'destroy' };
  if ((cmd === 'workspace' || cmd === 'env') && sub === 'delete' && a.args[0]) return { kind: 'workspace-delete', workspace: a.args[0], force: flagOn(a, '-force') };
  if (cmd === 'state' && sub === 'rm') return { kind: 'state-rm', addresses: a.args };
  if (cmd === 'state' && sub === 'push' && a.args[0]) return { kind: 'state-push', source: a.args[0] };
  if (cmd === 'apply' && a.args[0]) return { kind: 'saved-plan', plan: a.args[0] };
  if (cmd === 'apply' && flagValues(a, '-replace').length) return { kind: 'replace', addresses: flagValues(a, '-replace') };
  return { kind: 'other' };
};

// The binary the invocation named (tofu stays tofu), past any blastgate shim; never a shim itself.
// A word with a slash is a path to the shell (`./bin/terraform`), unless an npm runner named a package.
const binaryFor = (inv: Invocation, ctx: ResolveContext): string => {
  const named = inv.argv[0] ?? inv.program;
  if (named.includes('/')) {
    try {
      return findRealBinary(resolve(ctx.cwd, named), { path: ctx.env.PATH });
    } catch {
      // not an executable path (e.g. `npx @jahed/terraform`): look the program up on PATH
    }
  }
  return findRealBinary(inv.program, { path: ctx.env.PATH });
};

// No prompts, no colour, no version check over the network, and none of the caller's TF_CLI_ARGS.
const childEnv = (env: Record<string, string | undefined>, extra: Record<string, string> = {}) => {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('TF_CLI_ARGS')) out[k] = v;
  return { ...out, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', NO_COLOR: '1', ...extra };
};

const failureNote = (what: string, r: Exclude<RunOutcome, { ok: true }>) =>
  r.why === 'timeout' || r.why === 'aborted'
    ? `${what}: no answer before the resolve deadline (${Math.round(r.ms)} ms)`
    : `${what} failed: ${r.detail}`;

const readLines = (file: string): string[] => {
  try {
    return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  } catch {
    return [];
  }
};

const fieldsOf = (wd: Workdir): Record<string, FieldValue> => {
  const fields: Record<string, FieldValue> = {
    directory: wd.dir,
    workspace: wd.workspace,
    backend: wd.initialized ? wd.backend : `${wd.backend} (not initialized)`,
  };
  Object.assign(fields, wd.backendFields);
  if (wd.stateFile) fields.state = wd.stateFile;
  return fields;
};

interface Selection {
  names: string[];
  summary: string;
  extraNotes?: string[];
}

// Which of the addresses in state the action hits, and one sentence saying what happens to them.
const select = (action: Action, a: TerraformArgs, state: string[], wd: Workdir, dir: string): Selection => {
  const managed = state.filter(isManaged);
  switch (action.kind) {
    case 'destroy': {
      const targets = [...flagValues(a, '-target'), ...flagValues(a, '-target-file').flatMap((f) => readLines(resolve(dir, f)))];
      const excludes = [...flagValues(a, '-exclude'), ...flagValues(a, '-exclude-file').flatMap((f) => readLines(resolve(dir, f)))];
      let names = targets.length ? managed.filter((r) => targets.some((t) => selects(t, r))) : managed;
      names = names.filter((r) => !excludes.some((x) => selects(x, r)));
      if (!targets.length && !excludes.length) {
        return { names, summary: names.length ? `destroys all ${resourceCount(names.length)} in workspace "${wd.workspace}"` : `the state of workspace "${wd.workspace}" is empty: nothing to destroy` };
      }
      return {
        names,
        summary: `destroys ${resourceCount(names.length)} of the ${managed.length} in workspace "${wd.workspace}" (-target/-exclude)`,
        extraNotes: targets.length ? ['resources that depend on the targets are destroyed too and are not counted here'] : [],
      };
    }
    case 'workspace-delete':
      return {
        names: managed,
        summary: action.force
          ? `deletes workspace "${action.workspace}" and its state: ${resourceCount(managed.length)} keep running with nothing managing them`
          : `workspace "${action.workspace}" tracks ${resourceCount(managed.length)}${managed.length ? '; terraform refuses to delete it without -force' : ''}`,
      };
    case 'state-rm': {
      const names = state.filter((r) => action.addresses.some((s) => selects(s, r)));
      const missing = action.addresses.filter((s) => !state.some((r) => selects(s, r)));
      return {
        names,
        summary: `forgets ${resourceCount(names.length)}: ${names.length === 1 ? 'it keeps' : 'they keep'} running, no longer managed by Terraform`,
        extraNotes: missing.length ? [`not in the state: ${missing.join(', ')}`] : [],
      };
    }
    case 'state-push':
      return { names: managed, summary: `replaces the state of workspace "${wd.workspace}" (${resourceCount(managed.length)}) with ${action.source === '-' ? 'what arrives on stdin' : action.source}` };
    case 'replace': {
      const names = managed.filter((r) => action.addresses.some((s) => selects(s, r)));
      return { names, summary: `destroys and re-creates ${resourceCount(names.length)}: data stored on ${names.length === 1 ? 'it' : 'them'} is lost` };
    }
    default:
      return { names: [], summary: '' };
  }
};

const resourcesOf = (names: string[]) => ({
  count: names.length,
  names: names.slice(0, NAMES_SHOWN),
  dataHolding: dataHolding(names).slice(0, DATA_SHOWN),
});

// A saved plan says exactly what it will do; `terraform show -json` reads it without touching anything.
const readSavedPlan = async (bin: string, dir: string, plan: string, env: Record<string, string | undefined>, ctx: ResolveContext, timeoutMs: number): Promise<PlanSummary> => {
  const r = await runBounded(bin, ['show', '-json', '-no-color', plan], { cwd: dir, env: childEnv(env), timeoutMs, signal: ctx.signal });
  if (!r.ok) return { note: failureNote(`reading the saved plan ${plan}`, r) };
  return summarizePlan(r.stdout, `the saved plan ${plan}`);
};

const resolveSafely = async (inv: Invocation, ctx: ResolveContext): Promise<Target> => {
  const started = performance.now();
  // Leave room to return what is known before the stage's own deadline turns everything into "unknown".
  const budget = () => Math.max(0, ctx.timeoutMs - Math.min(300, ctx.timeoutMs * 0.2) - (performance.now() - started));
  const a = readTerraformArgs(inv.argv, ctx.env);
  if (a.chdir !== undefined && /[$`*?]/.test(a.chdir)) {
    return { kind: 'terraform', production: 'unknown', fields: { directory: a.chdir }, unresolved: ['workspace', 'resources'], notes: [`the directory ${a.chdir} is only known when the command runs`] };
  }
  const dir = resolve(ctx.cwd, a.chdir ?? '.');
  const action = actionOf(a, ctx.actor);
  const stateFlag = flagValues(a, '-state')[0];
  const env = action.kind === 'workspace-delete' ? { ...ctx.env, TF_WORKSPACE: action.workspace } : ctx.env;
  const wd = readWorkdir(dir, env, stateFlag);
  const target: Target = {
    kind: 'terraform',
    name: wd.workspace === 'default' ? basename(dir) : wd.workspace,
    production: 'unknown',
    fields: fieldsOf(wd),
    notes: [],
    unresolved: [],
  };
  const notes = target.notes!;
  const unresolved = target.unresolved!;
  // A planned apply that cannot be planned is unknown: never left at the rule's severity.
  const unplanned = (why: string) => {
    unresolved.push('resources');
    notes.push(why);
    target.raise = { severity: 'high', reason: `${why}: what this apply deletes is unknown` };
    return target;
  };
  // `state rm` names its addresses itself: without the state they are still what it forgets (modules unexpanded).
  const notRead = (why: string) => {
    if (action.kind === 'state-rm') {
      target.resources = resourcesOf(action.addresses);
      notes.push(`${why}; counted the addresses as given`);
    } else {
      unresolved.push('resources');
      notes.push(why);
    }
    return target;
  };
  if (!isDir(dir)) {
    notes.push(`directory ${dir} does not exist: terraform stops before doing anything`);
    return target;
  }
  if (action.kind === 'other') return target;
  if (action.kind === 'workspace-delete') {
    if (action.workspace === 'default') notes.push('terraform refuses to delete the default workspace');
    else if (readWorkdir(dir, ctx.env).workspace === action.workspace) notes.push(`terraform refuses to delete "${action.workspace}" while it is the selected workspace`);
  }

  // A local plan file is read without the backend; HCP (cloud/remote) plans are fetched over the network.
  if (action.kind === 'saved-plan' && (wd.backend === 'cloud' || wd.backend === 'remote') && !ctx.network) {
    return notRead(`saved plan not read: with the ${wd.backend} backend it may live in HCP Terraform and resolve.network is off`);
  }
  if (action.kind === 'planned-apply') {
    if (!wd.initialized) return unplanned(`not planned: the ${wd.backend} backend is not initialized here (terraform init has not run)`);
    if (wd.backend !== 'local' && !ctx.network) return unplanned(`not planned: the state is in the remote ${wd.backend} backend and resolve.network is off`);
    const providers = lockedProviders(dir);
    if (providers.length && !ctx.network) return unplanned(`not planned: planning calls the APIs of ${providers.join(', ')} and resolve.network is off`);
  }
  if (action.kind !== 'saved-plan' && action.kind !== 'planned-apply') {
    if (!wd.initialized) return notRead(`resources not read: the ${wd.backend} backend is not initialized here (terraform init has not run)`);
    if (wd.backend !== 'local' && !ctx.network) return notRead(`resources not read: the state is in the remote ${wd.backend} backend and resolve.network is off`);
  }
  let bin: string;
  try {
    bin = binaryFor(inv, ctx);
  } catch (err) {
    return notRead(`resources not read: ${(err as Error).message}`);
  }

  if (action.kind === 'planned-apply') {
    const plan = await planApply(bin, a, { cwd: dir, env: childEnv(env), signal: ctx.signal }, budget);
    if (!plan.names) return unplanned(plan.note);
    target.resources = resourcesOf(plan.names);
    notes.push(plan.note);
    target.fields['planned in'] = `${plan.ms} ms`;
    const changedFirst = lineMayChangePlan(inv, ctx.line);
    if (plan.names.length > 0) target.raise = { severity: 'critical', reason: `${plan.note}: ${plan.names.slice(0, NAMES_SHOWN).join(', ')}` };
    else if (changedFirst) {
      notes.push(`${changedFirst}: the plan above is of the configuration as it is now`);
      target.raise = { severity: 'high', reason: `${changedFirst}, so what this apply deletes is unknown` };
    }
    return target;
  }

  if (action.kind === 'saved-plan') {
    const plan = await readSavedPlan(bin, dir, action.plan, env, ctx, budget());
    if (plan.names) target.resources = resourcesOf(plan.names);
    else unresolved.push('resources');
    notes.push(plan.note);
    // The rule could not see inside the plan; what the plan says (or that it is unreadable) decides.
    if (plan.names && plan.names.length > 0) target.raise = { severity: 'critical', reason: plan.note };
    else if (!plan.names) target.raise = { severity: 'high', reason: `${plan.note}: what it deletes is unknown` };
    return target;
  }

  const args = ['state', 'list', '-no-color', ...(stateFlag ? [`-state=${stateFlag}`] : [])];
  const r = await runBounded(bin, args, { cwd: dir, env: childEnv(env), timeoutMs: budget(), signal: ctx.signal });
  if (!r.ok) {
    // Only true of the directory terraform will really run in; `cd X && terraform …` may not be seen here.
    if (/^No state file was found/.test(r.detail)) return notRead(`terraform found no state file in ${dir}`);
    return notRead(failureNote('terraform state list', r));
  }
  const state = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const picked = select(action, a, state, wd, dir);
  target.resources = resourcesOf(picked.names);
  notes.push(picked.summary, ...(picked.extraNotes ?? []));
  return target;
};

/** Why: "destroy" means nothing until the panel says which workspace and which 40 resources, databases first. */
export const resolveTerraform: Resolver = async (inv, _matches, ctx) => {
  try {
    const target = await resolveSafely(inv, ctx);
    if (!target.notes?.length) delete target.notes;
    if (!target.unresolved?.length) delete target.unresolved;
    return target;
  } catch (err) {
    return { kind: 'terraform', production: 'unknown', fields: {}, unresolved: ['target'], notes: [`blast radius not known: ${(err as Error).message}`] };
  }
};
