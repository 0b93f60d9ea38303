// The broker runs an allowed tool outside the jail: piped stdio relayed to the client, its own process
// group so a client that goes away takes the whole tool down with it.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { ExecExit } from './protocol.js';

export interface ToolRun {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  stdinHead: Buffer[];
  /** What follows the held bytes (null: nothing more). */
  stdinRest: Readable | null;
  onStdout: (data: Buffer) => void;
  onStderr: (data: Buffer) => void;
}

export interface Running {
  child: ChildProcess;
  done: Promise<ExecExit>;
  signal(sig: NodeJS.Signals): void;
}

export const startTool = (run: ToolRun): Running => {
  const child = spawn(run.file, run.args, { argv0: run.file, cwd: run.cwd, env: run.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  child.stdin!.on('error', () => undefined);
  for (const chunk of run.stdinHead) child.stdin!.write(chunk);
  if (run.stdinRest) run.stdinRest.pipe(child.stdin!);
  else child.stdin!.end();
  child.stdout!.on('data', run.onStdout);
  child.stderr!.on('data', run.onStderr);
  const done = new Promise<ExecExit>((resolve) => {
    child.once('error', (err) => {
      run.onStderr(Buffer.from(`blastgate: ${run.file}: cannot run it outside the sandbox (${(err as NodeJS.ErrnoException).code ?? err.message})\n`));
      resolve({ code: 126, signal: null });
    });
    // 'close', not 'exit': every byte of output is relayed before the client hears the end.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  return { child, done, signal };
};
