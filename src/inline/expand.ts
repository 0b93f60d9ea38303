// Interpreters given code on their command line (python -c, node -e, deno eval, bun -e), a script file
// or a heredoc: the code's effects become invocations the pipeline judges like any other command, with
// the interpreter recorded as a wrapper. What the code does with run-time values is unknown for an agent.
import { PayloadReader } from '../payload/reader.js';
import type { Invocation, Unknown } from '../types.js';
import type { InlineEffects } from './types.js';
import { interpreterFor, PYTHON, type Language } from './interpreters.js';

export interface InlineCode {
  language: Language;
  /** The code, or null when it could not be read (then `problem` says why). */
  text: string | null;
  origin: string;
  problem?: string;
}

/** The code an interpreter invocation would run, if it names any (no code: a REPL or `-m module`). */
export const inlineCodeOf = (inv: Invocation, cwd: string, reader: PayloadReader = new PayloadReader()): InlineCode | null => {
  const interp = interpreterFor(inv.program);
  if (!interp) return null;
  const args = inv.argv.slice(1);
  const label = (flag: string) => `${inv.program} ${flag}`;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (interp.evalSubcommand && a === interp.evalSubcommand) return { language: interp.language, text: args[i + 1] ?? '', origin: label(a) };
    for (const f of interp.codeFlags) {
      if (a === f) return { language: interp.language, text: args[i + 1] ?? '', origin: label(f) };
      if (a.startsWith(`${f}=`)) return { language: interp.language, text: a.slice(f.length + 1), origin: label(f) };
      if (f.length === 2 && a.startsWith(f) && !a.startsWith('--')) return { language: interp.language, text: a.slice(2), origin: label(f) };
    }
    if (interp === PYTHON && (a === '-m' || a.startsWith('-m'))) return null;
    if (interp.valueFlags.includes(a)) {
      i++;
      continue;
    }
    if (a === interp.runSubcommand) continue;
    if (a === '-') {
      const s = inv.stdin;
      if (s.kind === 'buffered' && s.truncated) return { language: interp.language, text: null, origin: label('-'), problem: 'stdin is larger than the analysis cap' };
      if (s.kind === 'heredoc' || s.kind === 'herestring' || s.kind === 'buffered') return { language: interp.language, text: s.body, origin: label('-') };
      return { language: interp.language, text: null, origin: label('-'), problem: 'the code comes from stdin, whose content is not known before it runs' };
    }
    if (a.startsWith('-')) continue;
    if (inv.dynamic.includes(i + 1)) return { language: interp.language, text: null, origin: label(a), problem: `the script ${a} is only known at run time` };
    const script = reader.file(a, cwd);
    // A script that does not exist runs nothing: the interpreter stops with an error.
    if (script.problem?.includes('ENOENT')) return null;
    return { language: interp.language, text: script.text, origin: `${inv.program} ${a}`, ...(script.problem ? { problem: script.problem } : {}) };
  }
  // `python < script.py`, `python <<EOF`: no script argument, code on stdin.
  const s = inv.stdin;
  if (s.kind === 'heredoc' || s.kind === 'herestring') return { language: interp.language, text: s.body, origin: `${inv.program} <<` };
  return null;
};

/** The effects of the code, loading the grammar for its language only now. */
export const effectsOf = async (code: InlineCode): Promise<InlineEffects> => {
  if (code.text === null) return { argvs: [], lines: [], unknowns: [`${code.origin}: ${code.problem ?? 'the code cannot be read'}`] };
  if (code.language === 'python') return (await import('./python.js')).pythonEffects(code.text);
  return (await import('./javascript.js')).javascriptEffects(code.text);
};

export interface ExpandPorts {
  /** Judge a shell line the code would run: its invocations and unknowns, as the parse/unwrap stages give them. */
  line: (text: string) => Promise<{ invocations: Invocation[]; unknowns: Unknown[] }>;
  /** Unwrap an argv the code would start (it may be `sudo …` or `bash -c …` itself). */
  argv: (argv: string[], from: Invocation) => Promise<{ invocations: Invocation[]; unknowns: Unknown[] }>;
  /** Mark an unknown as counting for an agent only (closed world for agents). */
  agentOnly: (u: Unknown) => Unknown;
}

/** Invocations and unknowns that interpreter invocations add to a line. */
export const expandInline = async (invocations: Invocation[], cwds: string[], ports: ExpandPorts, reader?: PayloadReader): Promise<{ invocations: Invocation[]; unknowns: Unknown[] }> => {
  const out: Invocation[] = [];
  const unknowns: Unknown[] = [];
  for (const [n, inv] of invocations.entries()) {
    const code = inlineCodeOf(inv, cwds[n] ?? '/', reader);
    if (!code) continue;
    const effects = await effectsOf(code);
    const wrapper = code.origin;
    for (const argv of effects.argvs) {
      const r = await ports.argv(argv, inv);
      out.push(...r.invocations.map((i) => ({ ...i, wrappers: [...inv.wrappers, wrapper, ...i.wrappers] })));
      unknowns.push(...r.unknowns);
    }
    for (const text of effects.lines) {
      const r = await ports.line(text);
      out.push(...r.invocations.map((i) => ({ ...i, wrappers: [...inv.wrappers, wrapper, ...i.wrappers] })));
      unknowns.push(...r.unknowns);
    }
    for (const reason of effects.unknowns) unknowns.push(ports.agentOnly({ reason: `${wrapper}: ${reason}`, text: inv.text }));
  }
  return { invocations: out, unknowns };
};
