// What an apply without a saved plan would do, for an agent: `terraform plan -out` into a temp file, then
// `terraform show -json` of it, both under the resolver deadline. Also: reading a plan's JSON, and whether
// other commands on the same line may change the configuration or state before the apply runs.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Invocation, SimpleCommand } from '../types.js';
import { resourceCount } from './terraform-addresses.js';
import type { TerraformArgs } from './terraform-args.js';
import { runBounded, type RunOptions } from './terraform-run.js';

export interface PlanSummary {
  /** Addresses the plan deletes (replacements included); undefined when the plan could not be read. */
  names?: string[];
  note: string;
}

interface PlanJson {
  resource_changes?: Array<{ address?: string; mode?: string; change?: { actions?: string[] } }>;
}

/** Deletes (replacements included), creates and forgets in `terraform show -json` output. */
export const summarizePlan = (json: string, what: string): PlanSummary => {
  let parsed: PlanJson;
  try {
    parsed = JSON.parse(json) as PlanJson;
  } catch {
    return { note: `${what} could not be read as JSON` };
  }
  const changes = (parsed.resource_changes ?? []).filter((c) => c.mode !== 'data' && typeof c.address === 'string');
  const has = (action: string) => changes.filter((c) => c.change?.actions?.includes(action));
  const deleted = has('delete');
  const replaced = deleted.filter((c) => c.change?.actions?.includes('create'));
  const created = has('create').length - replaced.length;
  const forgotten = has('forget');
  const names = deleted.map((c) => c.address!);
  const parts = [`${what} deletes ${resourceCount(names.length)}${replaced.length ? ` (${replaced.length} of them re-created)` : ''}`];
  if (created > 0) parts.push(`creates ${resourceCount(created)}`);
  if (forgotten.length) parts.push(`forgets ${resourceCount(forgotten.length)}`);
  return { names, note: parts.join('; ') };
};

// apply's flags that change what a plan contains; everything else (-auto-approve, -backup, -state-out,
// -lock*, -input) is about how the apply runs. The plan never takes the state lock: see planApply.
const PLAN_VALUE_FLAGS = ['-var', '-var-file', '-target', '-target-file', '-exclude', '-exclude-file', '-replace', '-state', '-parallelism'];
const PLAN_BOOL_FLAGS = ['-refresh', '-refresh-only'];

const planArgs = (a: TerraformArgs, out: string): string[] => {
  const args = ['plan', '-input=false', '-lock=false', '-no-color', `-out=${out}`];
  for (const f of PLAN_VALUE_FLAGS) for (const v of a.flags.get(f) ?? []) args.push(`${f}=${v}`);
  for (const f of PLAN_BOOL_FLAGS) for (const v of a.flags.get(f) ?? []) args.push(`${f}=${v === '' ? 'true' : v}`);
  return args;
};

export interface PlannedApply extends PlanSummary {
  /** Wall time of plan + show, for the panel (and the tests that measure it). */
  ms: number;
}

/**
 * Plan the apply as terraform would run it now. `-lock=false`: the plan only reads the state, and a lock
 * taken by a helper that the deadline kills can outlive it (a remote backend's lock then blocks the user's
 * own apply until `force-unlock`); an apply running at the same moment can at worst make the plan fail,
 * which is "unknown", never "safe".
 */
export const planApply = async (bin: string, a: TerraformArgs, opts: Omit<RunOptions, 'timeoutMs'>, budget: () => number): Promise<PlannedApply> => {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const tmp = mkdtempSync(join(tmpdir(), 'blastgate-plan-'));
  try {
    const file = join(tmp, 'apply.tfplan');
    const plan = await runBounded(bin, planArgs(a, file), { ...opts, timeoutMs: budget() });
    if (!plan.ok) {
      const why = plan.why === 'timeout' || plan.why === 'aborted' ? `no plan before the resolve deadline (${ms()} ms)` : `terraform plan failed: ${plan.detail}`;
      return { note: why, ms: ms() };
    }
    const show = await runBounded(bin, ['show', '-json', '-no-color', file], { ...opts, timeoutMs: budget() });
    if (!show.ok) return { note: `the plan could not be read: ${show.detail}`, ms: ms() };
    const summary = summarizePlan(show.stdout, 'the plan of this apply');
    return { ...summary, note: `${summary.note} (planned in ${ms()} ms, without the state lock)`, ms: ms() };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
};

/** Providers the lock file pins: each may call its API while planning (terraform_data is built in). */
export const lockedProviders = (dir: string): string[] => {
  const file = join(dir, '.terraform.lock.hcl');
  if (!existsSync(file)) return [];
  try {
    return [...readFileSync(file, 'utf8').matchAll(/^provider\s+"([^"]+)"/gm)].map((m) => m[1]!);
  } catch {
    return ['(unreadable .terraform.lock.hcl)'];
  }
};

/** Commands that cannot change a configuration or state (when nothing wraps them and no redirect writes). */
const INERT = new Set(['echo', 'printf', 'yes', 'cd', 'pushd', 'popd', 'true', 'pwd', 'sleep', 'date', 'ls']);
const TERRAFORM_READS = new Set(['plan', 'show', 'validate', 'version', 'output', 'providers', 'graph']);

const terraformCommand = (inv: Invocation): string | undefined =>
  inv.argv.slice(1).find((w) => !w.startsWith('-'));

const writesFile = (cmd: SimpleCommand): boolean =>
  cmd.redirects.some((r) => r.op.includes('>') && !/^&?\d*$|^-$/.test(r.target) && !/^\/dev\/(null|stdout|stderr|tty)$/.test(r.target) && !/>&$/.test(r.op));

/**
 * Why the plan of today's configuration may not be what this apply runs: another command on the line
 * writes a file, runs terraform state/taint/import, or does anything not known to be inert. Undefined when
 * every other command is inert (`echo yes |`, `cd infra &&`).
 */
export const lineMayChangePlan = (inv: Invocation, line: { commands: SimpleCommand[]; invocations: Invocation[] } | undefined): string | undefined => {
  if (!line) return undefined;
  const writer = line.commands.find(writesFile);
  if (writer) return `\`${writer.text.trim()}\` on the same line writes a file`;
  for (const other of line.invocations) {
    if (other === inv) continue;
    const program = basename(other.argv[0] ?? other.program);
    if ((program === 'terraform' || program === 'tofu') && TERRAFORM_READS.has(terraformCommand(other) ?? '') && other.wrappers.length === 0) continue;
    if (INERT.has(program) && other.wrappers.length === 0) continue;
    return `\`${other.text.trim()}\` on the same line runs first and may change the configuration or state`;
  }
  return undefined;
};
