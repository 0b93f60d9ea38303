// `blastgate check` / `explain`: a verdict only; nothing runs.
import { readFileSync } from 'node:fs';
import { failOnLayerProblems, loadEngine } from '../engine.js';
import { writeFd } from '../io/write-fd.js';
import { EXIT, UsageError } from '../errors.js';
import { guard, type GuardInput } from '../pipeline.js';
import { verdictJson } from '../report/verdict-json.js';
import type { Actor, Decision, Verdict } from '../types.js';

export interface CheckOptions {
  argv: string[];
  shell?: string;
  script?: string;
  json?: boolean;
  actor?: Actor;
  explain?: boolean;
  env?: Record<string, string | undefined>;
  cwd?: string;
  out?: (text: string) => void;
}

export const exitCodeFor = (d: Decision): number => (d === 'allow' ? EXIT.allow : d === 'confirm' ? EXIT.confirm : EXIT.deny);

const readScript = (file: string): string => {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`--script ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
};

export const inputOf = (opts: Pick<CheckOptions, 'argv' | 'shell' | 'script'>): GuardInput => {
  const given = [opts.argv.length > 0, opts.shell !== undefined, opts.script !== undefined].filter(Boolean).length;
  if (given !== 1) throw new UsageError('give exactly one of: -- <argv…>, --shell \'<line>\', --script FILE');
  if (opts.shell !== undefined) return { kind: 'line', text: opts.shell };
  if (opts.script !== undefined) return { kind: 'line', text: readScript(opts.script) };
  return { kind: 'argv', argv: opts.argv };
};

/** Returns the exit code: 0 allow, 10 confirm, 11 deny. */
export const runCheck = async (opts: CheckOptions): Promise<number> => {
  const input = inputOf(opts);
  const engine = await loadEngine({ env: opts.env, cwd: opts.cwd, actor: opts.actor });
  failOnLayerProblems(engine);
  const verdict: Verdict = await guard(input, { env: engine.env, cwd: engine.cwd, actor: engine.actor, index: engine.index, policy: engine.policy });
  const out = opts.out ?? ((t: string) => writeFd(1)(`${t}\n`));
  if (opts.json) {
    out(JSON.stringify(opts.explain ? { ...verdictJson(verdict), trace: verdict.trace } : verdictJson(verdict)));
  } else if (verdict.matches.length === 0 && verdict.unknowns.length === 0 && !opts.explain) {
    // The common answer needs no formatter (and no colour library) loaded.
    out(`allow — ${verdict.reason}`);
  } else {
    const { verdictText, traceText } = await import('../report/verdict-text.js');
    const { paintFor } = await import('../report/paint.js');
    const chalk = await paintFor(1, opts.env ?? process.env);
    out(opts.explain ? `${traceText(verdict, chalk)}\n\n${verdictText(verdict, chalk)}` : verdictText(verdict, chalk));
  }
  return exitCodeFor(verdict.decision);
};
