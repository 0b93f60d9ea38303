// Everything a verdict needs besides the command: paths, rules, policy and who is asking.
import { resolvePaths, type Paths } from './config/paths.js';
import { loadPolicy, type Policy } from './config/policy.js';
import { ConfigError } from './errors.js';
import { currentDir } from './io/cwd.js';
import { loadRuleIndex } from './rulesets/registry.js';
import type { LayerProblem, RuleIndex } from './rulesets/types.js';
import { detectActor } from './stages/actor.js';
import type { Actor } from './types.js';

export interface Engine {
  paths: Paths;
  index: RuleIndex;
  policy: Policy;
  actor: { actor: Actor; reason: string };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Set by the sandbox broker: every audit record names the sandbox the request came from. */
  sandbox?: string;
}

export interface EngineOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** `--actor agent` tightens; `--actor human` cannot turn a detected agent into a human. */
  actor?: Actor;
  /** Print the policy's one-line warnings on stderr (default true). */
  warn?: boolean;
}

export const loadEngine = async (opts: EngineOptions = {}): Promise<Engine> => {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? currentDir(env);
  const paths = resolvePaths(env);
  // Told "agent", there is nothing to detect: detection can only ever answer agent or human.
  const actor = opts.actor === 'agent' ? { actor: 'agent' as const, reason: 'caller says agent (--actor agent or a hook)' } : detectActor({ env: env as NodeJS.ProcessEnv });
  const [index, policy] = await Promise.all([loadRuleIndex({ paths, cwd }), loadPolicy({ paths, cwd, actor: actor.actor })]);
  if (policy.layers.some((l) => l.file && l.data.rules && Object.keys(l.data.rules).length > 0)) {
    const { unknownRuleIds } = await import('./config/rule-ids.js');
    const unknown = unknownRuleIds(policy, index);
    if (unknown.length) policy.problems = [...(policy.problems ?? []), ...unknown];
  }
  if (opts.warn !== false) for (const w of policy.warnings ?? []) process.stderr.write(`${w}\n`);
  return { paths, index, policy, actor, env, cwd };
};

/** Every user/project file set aside, rules and policy. */
export const layerProblems = (engine: Pick<Engine, 'index' | 'policy'>): LayerProblem[] => [...(engine.index.problems ?? []), ...(engine.policy.problems ?? [])];

/** For commands that inspect configuration (`check`, `rules test`): a set-aside file is an error (exit 2). */
export const failOnLayerProblems = (engine: Pick<Engine, 'index' | 'policy'>): void => {
  const first = layerProblems(engine)[0];
  if (first) throw new ConfigError(`${first.message} (run \`blastgate rules test ${first.file}\`)`);
};
