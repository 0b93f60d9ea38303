// Run a read-only helper command (terraform state list / show -json) under a hard deadline.
// The child gets its own process group so a wrapper script's grandchildren die with it on timeout.
// execa runs it, loaded on first use so only a resolver that really runs a process pays for it.

export type RunOutcome =
  | { ok: true; stdout: string; stderr: string; ms: number }
  | { ok: false; why: 'timeout' | 'aborted' | 'spawn' | 'exit'; detail: string; ms: number };

export interface RunOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  /** Milliseconds from now after which the child is killed and the run reported as a timeout. */
  timeoutMs: number;
  signal: AbortSignal;
}

const MAX_STDOUT = 64 * 1024 * 1024;
const MAX_STDERR = 64 * 1024;

const killGroup = (pid: number | undefined) => {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
};

/**
 * The line of an error output worth a panel note: the first `Error:`, else the first plain line.
 * Terraform frames each diagnostic in ╷ … ╵; warning blocks (a missing CLI config…) are skipped.
 */
export const firstLine = (text: string): string => {
  const kept: string[] = [];
  let block: 'none' | 'open' | 'warning' = 'none';
  for (const raw of text.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
    if (raw.startsWith('╷')) block = 'open';
    else if (raw.startsWith('╵')) block = 'none';
    const line = raw.replace(/^[│╷╵\s]+/, '').trim();
    if (!line || /^There are some problems with the CLI configuration/.test(line)) continue;
    if (block === 'open' && line.startsWith('Warning:')) block = 'warning';
    if (block !== 'warning') kept.push(line);
  }
  const line = kept.find((l) => l.startsWith('Error:')) ?? kept[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
};

/** Why: a blast-radius lookup may cost the user a few seconds at most and must never hang the gate. */
export const runBounded = async (file: string, args: string[], opts: RunOptions): Promise<RunOutcome> => {
  const started = performance.now();
  const ms = () => performance.now() - started;
  const outOfTime = (): RunOutcome | undefined =>
    opts.signal.aborted || ms() >= opts.timeoutMs
      ? { ok: false, why: opts.signal.aborted ? 'aborted' : 'timeout', detail: 'no time left', ms: ms() }
      : undefined;
  const early = outOfTime();
  if (early) return { ...early, ms: 0 };
  try {
    const { execa } = await import('./load-execa.js');
    return outOfTime() ?? (await runUntil(execa, file, args, opts, opts.timeoutMs - ms(), ms));
  } catch (e) {
    return { ok: false, why: 'spawn', detail: (e as Error).message, ms: ms() };
  }
};

type Execa = Awaited<typeof import('./load-execa.js')>['execa'];

const runUntil = async (execa: Execa, file: string, args: string[], opts: RunOptions, leftMs: number, ms: () => number): Promise<RunOutcome> => {
  // Not execa's `timeout`: it kills only the direct child, then waits for pipes that a wrapper's
  // grandchild still holds open (a `sleep 30` under sh kept it waiting the full 30 s). The deadline kills the group.
  const deadline = AbortSignal.any([opts.signal, AbortSignal.timeout(Math.max(1, Math.ceil(leftMs)))]);
  let pid: number | undefined;
  const onDeadline = () => killGroup(pid);
  deadline.addEventListener('abort', onDeadline, { once: true });
  try {
    const child = execa(file, args, {
      cwd: opts.cwd,
      env: opts.env,
      extendEnv: false,
      stdin: 'ignore',
      detached: true,
      cancelSignal: deadline,
      killSignal: 'SIGKILL',
      forceKillAfterDelay: false,
      maxBuffer: MAX_STDOUT,
      buffer: { stdout: true, stderr: false },
      encoding: 'utf8',
      stripFinalNewline: false,
      reject: false,
    });
    pid = child.pid;
    // A leader killed for its output size takes its whole group along, as a deadline does.
    child.once('exit', (_code, signal) => {
      if (signal) killGroup(pid);
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      if (stderr.length < MAX_STDERR) stderr += s;
    });
    const r = await child;
    if (r.isCanceled) {
      return opts.signal.aborted
        ? { ok: false, why: 'aborted', detail: 'the resolve deadline passed', ms: ms() }
        : { ok: false, why: 'timeout', detail: `no answer within ${opts.timeoutMs} ms`, ms: ms() };
    }
    if (r.isMaxBuffer) return { ok: false, why: 'exit', detail: 'output too large', ms: ms() };
    if (r.exitCode === 0) return { ok: true, stdout: r.stdout ?? '', stderr, ms: ms() };
    if (r.exitCode === undefined && r.signal === undefined) {
      return { ok: false, why: 'spawn', detail: r.code ?? (r.cause instanceof Error ? r.cause.message : String(r.shortMessage)), ms: ms() };
    }
    return { ok: false, why: 'exit', detail: firstLine(stderr) || `exit ${r.exitCode ?? r.signal}`, ms: ms() };
  } finally {
    deadline.removeEventListener('abort', onDeadline);
  }
};
