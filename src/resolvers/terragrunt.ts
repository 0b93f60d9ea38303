// Blast radius of a terragrunt command, best effort and without running terragrunt: the working dir,
// and for a multi-unit run (run --all, run-all, stack run …) how many units sit under it.
import { readdirSync } from 'node:fs';
import { readRegularText } from '../payload/read.js';
import { basename, join, relative, resolve } from 'node:path';
import { isFalsy } from '../match/read-args.js';
import type { Invocation, Target } from '../types.js';
import type { Resolver } from './types.js';

const WALK_MAX_DIRS = 5000;
const WALK_MAX_DEPTH = 12;
const UNITS_LISTED = 50;
/** Never descended into: caches and tool state, not units. */
const SKIP_DIRS = new Set(['.terragrunt-cache', '.terragrunt-stack', '.terraform', '.git', 'node_modules']);

const MULTI_COMMANDS = new Set(['run-all', 'graph', 'apply-all', 'destroy-all', 'plan-all', 'output-all', 'validate-all']);
const WORKING_DIR_FLAGS = ['-working-dir', '--working-dir', '-terragrunt-working-dir', '--terragrunt-working-dir'];

const truthy = (v: string | undefined) => v !== undefined && v !== '' && !isFalsy(v);

// Terragrunt reads flags anywhere on the line (before `--`), both `-x` and `--x`, `=v` or the next word.
const workingDirOf = (argv: readonly string[], env: Record<string, string | undefined>): string | undefined => {
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === '--') break;
    const eq = w.indexOf('=');
    const name = eq > 0 ? w.slice(0, eq) : w;
    if (WORKING_DIR_FLAGS.includes(name)) return eq > 0 ? w.slice(eq + 1) : argv[i + 1];
  }
  return env.TG_WORKING_DIR || env.TERRAGRUNT_WORKING_DIR || undefined;
};

const hasFlag = (argv: readonly string[], names: string[]): boolean => {
  for (const w of argv.slice(1)) {
    if (w === '--') return false;
    const eq = w.indexOf('=');
    const name = (eq > 0 ? w.slice(0, eq) : w).replace(/^--/, '-');
    if (names.includes(name) && (eq < 0 || !isFalsy(w.slice(eq + 1)))) return true;
  }
  return false;
};

type Scope = 'unit' | 'all' | 'stack';

const scopeOf = (argv: readonly string[], env: Record<string, string | undefined>): Scope => {
  const words = argv.slice(1).filter((w) => !w.startsWith('-'));
  if (words[0] === 'stack' && words[1] === 'run') return 'stack';
  if (words.some((w) => MULTI_COMMANDS.has(w))) return 'all';
  if (hasFlag(argv, ['-all', '-graph']) || truthy(env.TG_ALL) || truthy(env.TG_GRAPH)) return 'all';
  return 'unit';
};

/** Unit dirs (those holding a terragrunt.hcl) under root, relative to it; bounded in dirs and depth. */
const findUnits = (root: string): { units: string[]; complete: boolean } => {
  const units: string[] = [];
  const queue: Array<[string, number]> = [[root, 0]];
  let visited = 0;
  while (queue.length) {
    const [dir, depth] = queue.shift()!;
    if (++visited > WALK_MAX_DIRS) return { units, complete: false };
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    if (entries.some((e) => e.isFile() && e.name === 'terragrunt.hcl')) units.push(relative(root, dir) || '.');
    if (depth >= WALK_MAX_DEPTH) continue;
    for (const e of entries) {
      if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) queue.push([join(dir, e.name), depth + 1]);
    }
  }
  return { units: units.sort(), complete: true };
};

/** `unit "name" { … }` blocks of a terragrunt.stack.hcl. */
const stackUnits = (dir: string): string[] | undefined => {
  try {
    const text = readRegularText(join(dir, 'terragrunt.stack.hcl'));
    return [...text.matchAll(/^\s*(unit|stack)\s+"([^"]+)"/gm)].map((m) => `${m[1]} ${m[2]}`);
  } catch {
    return undefined;
  }
};

const resolveSafely = (inv: Invocation, env: Record<string, string | undefined>, cwd: string): Target => {
  const dir = resolve(cwd, workingDirOf(inv.argv, env) ?? '.');
  const scope = scopeOf(inv.argv, env);
  const target: Target = { kind: 'terragrunt', name: basename(dir), production: 'unknown', fields: { directory: dir }, notes: [] };
  const notes = target.notes!;
  if (env.TF_WORKSPACE) target.fields.workspace = env.TF_WORKSPACE;
  if (scope === 'unit') {
    notes.push('one unit; its resources are not listed (blastgate does not run terragrunt)');
    return target;
  }
  if (scope === 'stack') {
    const units = stackUnits(dir);
    target.fields.scope = `every unit of the stack in ${dir}`;
    if (units) {
      target.fields.units = units.length;
      target.fields['unit names'] = units.slice(0, UNITS_LISTED);
    } else {
      target.unresolved = ['units'];
      notes.push('no readable terragrunt.stack.hcl here');
    }
    return target;
  }
  const found = findUnits(dir);
  target.fields.scope = `all units under ${dir}`;
  target.fields.units = found.units.length;
  // All unit paths go in (production patterns are matched on them), capped for the panel.
  target.fields['unit dirs'] = found.units.length > UNITS_LISTED ? [...found.units.slice(0, UNITS_LISTED), `… ${found.units.length - UNITS_LISTED} more`] : found.units;
  if (!found.complete) notes.push(`stopped counting after ${WALK_MAX_DIRS} directories: there may be more units`);
  notes.push('units outside this directory that these depend on can be included too; resources per unit are not listed');
  return target;
};

/** Why: `run --all destroy` in the wrong directory is a whole environment; say how many units that is. */
export const resolveTerragrunt: Resolver = async (inv, _matches, ctx) => {
  try {
    return resolveSafely(inv, ctx.env, ctx.cwd);
  } catch (err) {
    return { kind: 'terragrunt', production: 'unknown', fields: {}, unresolved: ['target'], notes: [`blast radius not known: ${(err as Error).message}`] };
  }
};
