// Stage 8: find the real tool past every blastgate shim and run it as if blastgate were not there:
// same argv, env, cwd and stdio, its exit code returned, its death by a signal repeated on ourselves.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { BlastgateError, ToolNotFoundError } from '../errors.js';
import { isShimDir, isShimFile } from '../shims/marker.js';
import type { Readable } from 'node:stream';
import { isExecutableFile, realOrNull } from '../io/files.js';

// Loaded on first exec, not at start-up: `check` and `hook` share this bundle and never spawn.
const childProcess = () => createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');

export interface LookupOptions {
  /** The PATH to search (the caller's). */
  path: string | undefined;
  /** Extra dirs never to search (compared by real path), e.g. the shim dir being generated. */
  skipDirs?: string[];
  /** Files that must never be returned (compared by real path), e.g. blastgate's own bin. */
  skipFiles?: string[];
}


/**
 * Every executable named `tool` on PATH that is not a blastgate shim, in PATH order. Relative and
 * empty PATH entries (the current directory) are never searched; a shim dir is recognised by its
 * stamp file, by real path, and each candidate file by its shim signature, so a shim dir listed twice
 * or reached through a symlink cannot make a shim resolve to itself.
 */
export const realBinaryCandidates = (tool: string, opts: LookupOptions): string[] => {
  const skipDirs = new Set((opts.skipDirs ?? []).map(realOrNull).filter((d): d is string => d !== null));
  const skipFiles = new Set((opts.skipFiles ?? []).map(realOrNull).filter((f): f is string => f !== null));
  const out: string[] = [];
  const seen = new Set<string>();
  for (const dir of (opts.path ?? '').split(':')) {
    if (!dir || !isAbsolute(dir)) continue;
    const file = join(dir, tool);
    // Most dirs do not hold the tool: one stat, and only then the shim-dir checks.
    if (!isExecutableFile(file)) continue;
    const realDir = realOrNull(dir);
    if (!realDir || seen.has(realDir) || skipDirs.has(realDir) || isShimDir(dir)) continue;
    seen.add(realDir);
    const realFile = realOrNull(file);
    if (!realFile || skipFiles.has(realFile) || isShimFile(realFile)) continue;
    out.push(file);
  }
  return out;
};

/** The binary the shell would have run had blastgate not been on PATH; throws ToolNotFoundError (127). */
export const findRealBinary = (tool: string, opts: LookupOptions): string => {
  if (tool.includes('/')) {
    // An explicit path (`blastgate run -- /usr/bin/terraform …`): run exactly that, unless it is a shim.
    if (isExecutableFile(tool) && !isShimFile(tool)) return tool;
    throw new ToolNotFoundError(`${tool}: not an executable file, or a blastgate shim`);
  }
  const [first] = realBinaryCandidates(tool, opts);
  if (!first) throw new ToolNotFoundError(`${tool}: no real binary on PATH after the shim dir`);
  return first;
};

export interface ExecRequest {
  file: string;
  /** argv[0] as the tool would have seen it (the name the shell was given). */
  argv0: string;
  args: string[];
  env: Record<string, string | undefined>;
  /** Bytes already read from our stdin for analysis: written to the tool first, then `rest` follows. */
  stdinReplay?: { head: Buffer[]; rest: Readable | null };
  /**
   * Pass signals sent to us on to the tool (default). Off when our parent shares the tool's process
   * group and a signal meant for the tool reaches it from the kernel already: forwarding would double it.
   */
  forwardSignals?: boolean;
  /** Our parent died (a SIGKILLed shim): end the tool too — TERM, then KILL — so it is not orphaned. */
  killWithParent?: boolean;
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
/** Signals the terminal driver sends to the whole foreground process group (the tool got it too). */
const TERMINAL_SIGNALS = new Set<NodeJS.Signals>(['SIGINT', 'SIGQUIT', 'SIGHUP']);

/**
 * True when we are in the foreground process group of our controlling terminal: a Ctrl-C then
 * reached the tool (same group) straight from the kernel, and forwarding it would deliver it twice
 * (terraform treats a second interrupt as "exit immediately"). Linux: /proc; elsewhere: a TTY guess.
 */
const inForegroundGroup = (): boolean => {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [pgrp, ttyNr, tpgid] = [Number(fields[2]), Number(fields[4]), Number(fields[5])];
    return ttyNr !== 0 && tpgid === pgrp;
  } catch {
    return Boolean(process.stdin.isTTY || process.stderr.isTTY);
  }
};

/** Runs the tool with our stdio; resolves when it exits. Signals sent to us are passed on. */
export const execPassthrough = (req: ExecRequest): Promise<ExecResult> =>
  new Promise((resolvePromise, reject) => {
    const replay = req.stdinReplay;
    const child = childProcess().spawn(req.file, req.args, {
      argv0: req.argv0,
      env: req.env as NodeJS.ProcessEnv,
      stdio: [replay ? 'pipe' : 'inherit', 'inherit', 'inherit'],
    });
    const forwarding = req.forwardSignals !== false;
    const forward = (signal: NodeJS.Signals) => {
      if (!forwarding || (TERMINAL_SIGNALS.has(signal) && inForegroundGroup())) return;
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    };
    for (const s of FORWARDED) process.on(s, forward);
    const parent = process.ppid;
    const watchdog = req.killWithParent
      ? setInterval(() => {
          if (process.ppid === parent) return;
          clearInterval(watchdog);
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 3000).unref();
        }, 200)
      : undefined;
    const cleanup = () => {
      if (watchdog) clearInterval(watchdog);
      for (const s of FORWARDED) process.off(s, forward);
      if (replay?.rest) {
        replay.rest.unpipe();
        replay.rest.destroy();
      }
    };
    if (replay && child.stdin) {
      // The tool may exit without reading its stdin (psql -c …): that EPIPE is not our error.
      child.stdin.on('error', () => {});
      for (const chunk of replay.head) child.stdin.write(chunk);
      if (replay.rest) replay.rest.pipe(child.stdin);
      else child.stdin.end();
    }
    child.once('error', (err) => {
      cleanup();
      const code = (err as NodeJS.ErrnoException).code;
      const message = `${basename(req.file)}: cannot run ${req.file} (${code ?? err.message})`;
      // The shell's codes: 127 not found, 126 found but cannot be executed.
      reject(code === 'ENOENT' ? new ToolNotFoundError(message) : new BlastgateError(message, 126));
    });
    child.once('exit', (code, signal) => {
      cleanup();
      resolvePromise({ code, signal });
    });
  });

/** Signal numbers for the shell's 128+n convention when we cannot die by the signal ourselves. */
const signalNumber = (signal: NodeJS.Signals): number => {
  const n = (osConstants.signals as Record<string, number | undefined>)[signal];
  return typeof n === 'number' ? n : 0;
};

/**
 * Make our parent see what it would have seen from the tool: the same exit code, or death by the
 * same signal (default disposition restored first, since node ignores SIGPIPE and we may have
 * listened for the signal). Returns the exit code to use if we are still alive afterwards.
 */
export const exitLikeChild = (result: ExecResult): number => {
  if (result.signal === null) return result.code ?? 1;
  const signal = result.signal;
  process.removeAllListeners(signal);
  // Adding then removing a listener makes libuv reset the disposition to SIG_DFL (SIGPIPE starts ignored).
  const noop = () => {};
  try {
    process.on(signal, noop);
    process.off(signal, noop);
  } catch {
    // SIGKILL/SIGSTOP cannot be listened for; their default is already fatal.
  }
  try {
    process.kill(process.pid, signal);
  } catch {
    // fall through to the exit code
  }
  return 128 + signalNumber(signal);
};
