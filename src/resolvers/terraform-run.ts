// Run a read-only helper command (terraform state list / show -json) under a hard deadline.
// The child gets its own process group so a wrapper script's grandchildren die with it on timeout.
import { spawn, type ChildProcess } from 'node:child_process';

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
export const runBounded = (file: string, args: string[], opts: RunOptions): Promise<RunOutcome> =>
  new Promise((resolve) => {
    const started = performance.now();
    const ms = () => performance.now() - started;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let child: ChildProcess | undefined;
    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    function onAbort() {
      killGroup(child?.pid);
      finish({ ok: false, why: 'aborted', detail: 'the resolve deadline passed', ms: ms() });
    }
    if (opts.signal.aborted || opts.timeoutMs <= 0) {
      finish({ ok: false, why: opts.signal.aborted ? 'aborted' : 'timeout', detail: 'no time left', ms: 0 });
      return;
    }
    try {
      child = spawn(file, args, { cwd: opts.cwd, env: opts.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (e) {
      finish({ ok: false, why: 'spawn', detail: (e as Error).message, ms: ms() });
      return;
    }
    const proc = child;
    const out: Buffer[] = [];
    let outLen = 0;
    let err = '';
    proc.stdout?.on('data', (b: Buffer) => {
      outLen += b.length;
      if (outLen <= MAX_STDOUT) out.push(b);
      else killGroup(proc.pid);
    });
    proc.stderr?.on('data', (b: Buffer) => {
      if (err.length < MAX_STDERR) err += b.toString('utf8');
    });
    opts.signal.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => {
      killGroup(proc.pid);
      finish({ ok: false, why: 'timeout', detail: `no answer within ${opts.timeoutMs} ms`, ms: ms() });
    }, opts.timeoutMs);
    proc.once('error', (e: NodeJS.ErrnoException) => finish({ ok: false, why: 'spawn', detail: e.code ?? e.message, ms: ms() }));
    proc.once('close', (code, signal) => {
      if (outLen > MAX_STDOUT) return finish({ ok: false, why: 'exit', detail: 'output too large', ms: ms() });
      if (code === 0) return finish({ ok: true, stdout: Buffer.concat(out).toString('utf8'), stderr: err, ms: ms() });
      finish({ ok: false, why: 'exit', detail: firstLine(err) || `exit ${code ?? signal}`, ms: ms() });
    });
  });
