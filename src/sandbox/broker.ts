// The broker: outside the jail, the only thing that holds real credentials and runs real tools. Each
// exec request from a covered binary goes through the same guard() → confirm → audit as `blastgate run`,
// with actor agent always (nothing inside the jail can be a human).
import { realpathSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { basename } from 'node:path';
import { PassThrough } from 'node:stream';
import { resolvePaths } from '../config/paths.js';
import { loadEngine, type Engine } from '../engine.js';
import { isBlastgateError } from '../errors.js';
import { guard } from '../pipeline.js';
import { readsStdin, refusalLine } from '../commands/run.js';
import { bufferedText, bufferStdin } from '../shims/stdin-buffer.js';
import type { Verdict } from '../types.js';
import { startTool, type Running } from './broker-exec.js';
import { swapIn, type CredentialNames, type EnvSecret } from './credentials.js';
import { encodeFrame, FRAME, frameReader, type ExecExit, type ExecRequest } from './protocol.js';

export interface BrokerOptions {
  socketPath: string;
  sandboxId: string;
  /** The agent command, shown on every pending request ("asked by"). */
  agentCommand: string[];
  /** Covered path → the guarded program names its file serves (`psql`); nothing else is ever run. */
  covered: Map<string, string>;
  secrets: EnvSecret[];
  credentialsByTool: Record<string, CredentialNames>;
  /** Directories the jail may write (workspace first): a tool run from anywhere else needs approval. */
  writable: string[];
  /** The broker's own environment: where state, keys and policy are found, and the tools' PATH. */
  env: Record<string, string | undefined>;
  /** The egress gate's proxy (src/egress/): its socket and the install's CA. */
  egress?: { socketPath: string; ca: import('../egress/ca.js').EgressCa; profile?: { default: 'allow' | 'deny'; allow: string[] } };
}

export interface Broker {
  server: Server;
  close(): Promise<void>;
  /** Requests handled so far (for the exit summary and tests). */
  handled: () => number;
}

/** Loader and interpreter knobs a request may not carry out of the jail into a real tool. */
const DROPPED_ENV = /^(LD_|DYLD_|NODE_OPTIONS$|NODE_PATH$|BASH_ENV$|ENV$|PYTHON(PATH|STARTUP|HOME)$|PERL5(LIB|OPT)$|RUBYOPT$|RUBYLIB$|GCONV_PATH$|BLASTGATE_)/;

/**
 * Where a tool outside finds its configuration and helpers: always the human's values, never the jail's.
 * From inside, each would point the real tool at a file the agent wrote (a psqlrc with `\!`, a
 * terraformrc with provider overrides, a kubeconfig exec plugin, a git ssh command) and run it outside.
 */
const HUMANS_ONLY_ENV = /^(HOME|XDG_[A-Z_]+_HOME|XDG_CONFIG_DIRS|XDG_DATA_DIRS|PSQLRC|PGSERVICEFILE|PGSYSCONFDIR|PAGER|PSQL_PAGER|EDITOR|VISUAL|PSQL_EDITOR|TF_CLI_CONFIG_FILE|TERRAFORM_CONFIG|TF_PLUGIN_CACHE_DIR|KUBECONFIG|AWS_CONFIG_FILE|AWS_SHARED_CREDENTIALS_FILE|GIT_SSH|GIT_SSH_COMMAND|GIT_EXEC_PATH|GIT_CONFIG_GLOBAL|GIT_CONFIG_SYSTEM|GIT_CONFIG_COUNT|GIT_CONFIG_KEY_\d+|GIT_CONFIG_VALUE_\d+|GIT_CONFIG_PARAMETERS|GIT_PROXY_COMMAND|GIT_ASKPASS|SSH_ASKPASS|DOCKER_CONFIG|CLOUDSDK_CONFIG|SHELL|(?:HTTPS?|ALL|NO)_PROXY|(?:https?|all|no)_proxy|SSL_CERT_FILE|NODE_EXTRA_CA_CERTS|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|GIT_SSL_CAINFO)$/;

class Refused extends Error {}

const realOr = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

const refuse = (msg: string): never => {
  throw new Refused(msg);
};

export const startBroker = async (opts: BrokerOptions): Promise<Broker> => {
  const conns = new Set<Socket>();
  const running = new Set<Running>();
  const waits = new Set<AbortController>();
  let count = 0;

  const engineFor = async (cwd: string): Promise<Engine> => {
    const engine = await loadEngine({ env: opts.env, cwd, actor: 'agent' });
    const line = opts.agentCommand.join(' ');
    return { ...engine, actor: { actor: 'agent', reason: `inside blastgate sandbox ${opts.sandboxId} (agent: ${line.length > 60 ? `${line.slice(0, 59)}…` : line})` }, sandbox: opts.sandboxId };
  };

  /** The environment the tool runs with; `swap: false` keeps placeholders (what the verdict is judged on). */
  const toolEnv = (req: ExecRequest, program: string, swap: boolean): Record<string, string> => {
    const patterns = swap ? (opts.credentialsByTool[program]?.env ?? []) : [];
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.env)) {
      if (DROPPED_ENV.test(k) || HUMANS_ONLY_ENV.test(k)) continue;
      out[k] = swapIn([v], opts.secrets, patterns)[0]!;
    }
    for (const [k, v] of Object.entries(opts.env)) if (v !== undefined && HUMANS_ONLY_ENV.test(k)) out[k] = v;
    // The tool's own helpers are looked up on the human's PATH, never on one the agent wrote into.
    if (opts.env.PATH) out.PATH = opts.env.PATH;
    // A credential the agent dropped (env -i) is not restored: the tool sees what it was given.
    out.BLASTGATE_ACTOR = 'agent';
    out.BLASTGATE_SANDBOX = opts.sandboxId;
    return out;
  };

  const audit = async (engine: Engine, event: Parameters<typeof import('../stages/audit.js').appendAudit>[1]) => {
    const { appendAudit } = await import('../stages/audit.js');
    await appendAudit(engine, event);
  };

  const gate = async (engine: Engine, verdict: Verdict, argv: string[], stderr: (t: string) => void, signal: AbortSignal): Promise<string | undefined> => {
    if (verdict.decision === 'allow') return undefined;
    await audit(engine, { kind: 'decision', verdict, argv, cwd: engine.cwd });
    if (verdict.decision === 'deny') refuse(refusalLine(argv, verdict, `denied by policy (${verdict.reason})`));
    const { confirm } = await import('../stages/confirm.js');
    const answer = await confirm({ verdict, argv, cwd: engine.cwd, engine, stderr, stderrIsTTY: false, signal });
    if (!answer.approved) refuse(refusalLine(argv, verdict, answer.reason));
    return answer.approvalId;
  };

  /**
   * Why: one mounted file can serve several names (Debian's pg_wrapper is psql, pgbench, pg_dump …). A name
   * without rules of its own reaches the same binary as a guarded one, so it is unknown: confirm, never allow.
   */
  const unguardedAlias = (engine: Engine, binary: string, verdict: Verdict): Verdict => {
    const program = basename(binary);
    if (engine.index.byBinary[program] || verdict.decision !== 'allow') return verdict;
    return needsHuman(verdict, `${program} runs the same file as ${opts.covered.get(binary)}, which is guarded, but has no rules of its own`, binary);
  };

  const needsHuman = (verdict: Verdict, reason: string, text: string): Verdict =>
    verdict.decision !== 'allow' ? verdict : { ...verdict, decision: 'confirm', reason, unknowns: [...verdict.unknowns, { reason, text }] };

  /**
   * Why: the tool runs outside, where it can write what the jail keeps read-only. From a directory the
   * agent could not write itself (`cd ~ && git init`), even a safe-looking command needs a human.
   */
  const writableReal = opts.writable.map((w) => realOr(w));
  const outsideWritable = (verdict: Verdict, cwd: string): Verdict => {
    // Resolved first: a symlink in the workspace pointing at ~ is ~.
    const real = realOr(cwd);
    const inside = writableReal.some((w) => real === w || real.startsWith(`${w}/`));
    return inside ? verdict : needsHuman(verdict, `runs outside the sandbox in ${cwd}, which the agent cannot write from inside`, cwd);
  };

  const serve = (conn: Socket) => {
    conns.add(conn);
    const stdin = new PassThrough();
    stdin.on('error', () => undefined);
    const aborted = new AbortController();
    waits.add(aborted);
    let request: ExecRequest | null = null;
    let tool: Running | null = null;
    let ended = false;
    let gone = false;
    const send = (type: (typeof FRAME)[keyof typeof FRAME], payload?: Buffer | string) => {
      if (!gone) conn.write(encodeFrame(type, payload));
    };
    const stderr = (t: string) => send(FRAME.stderr, t);
    const finish = (end: ExecExit) => {
      if (ended) return;
      ended = true;
      send(FRAME.exit, JSON.stringify(end));
      conn.end();
    };
    conn.on('close', () => {
      gone = true;
      aborted.abort();
      waits.delete(aborted);
      conns.delete(conn);
      stdin.destroy();
      if (tool) {
        tool.signal('SIGTERM');
        const t = tool;
        setTimeout(() => t.signal('SIGKILL'), 3000).unref();
      }
    });
    conn.on('error', () => undefined);

    const handle = async (req: ExecRequest) => {
      const program = basename(req.binary);
      if (!opts.covered.has(req.binary)) refuse(`${req.binary} is not a tool this sandbox covers (a copy of one is not run)`);
      if (!Array.isArray(req.args) || typeof req.cwd !== 'string' || typeof req.env !== 'object') refuse('malformed request');
      const engine = await engineFor(req.cwd);
      const argv = [req.binary, ...req.args];
      // The request's stdinIsTTY is the client's word, and the tool outside always reads a pipe: whatever
      // a tool would read from stdin is judged, whatever the request claims.
      const held = readsStdin(engine.index, program, req.args) ? await bufferStdin(stdin) : null;
      const verdict = await guard(
        { kind: 'argv', argv, ...(held ? { stdin: { kind: 'buffered' as const, body: held.truncated ? '' : bufferedText(held), truncated: held.truncated } } : {}) },
        { env: toolEnv(req, program, false), cwd: req.cwd, actor: engine.actor, index: engine.index, policy: engine.policy },
      );
      const approvalId = await gate(engine, outsideWritable(unguardedAlias(engine, req.binary, verdict), req.cwd), argv, stderr, aborted.signal);
      if (gone) return;
      const patterns = opts.credentialsByTool[program]?.env ?? [];
      tool = startTool({
        file: req.binary,
        args: swapIn(req.args, opts.secrets, patterns),
        cwd: req.cwd,
        env: toolEnv(req, program, true),
        stdinHead: held ? held.chunks : [],
        stdinRest: held ? held.rest : stdin,
        onStdout: (d) => send(FRAME.stdout, d),
        onStderr: (d) => send(FRAME.stderr, d),
      });
      running.add(tool);
      const end = await tool.done;
      running.delete(tool);
      await audit(engine, { kind: 'exit', verdict, argv, cwd: req.cwd, approvalId, exitCode: end.code, signal: end.signal, decision: 'exit' });
      finish(end);
    };

    const onFrame = (type: number, payload: Buffer) => {
      if (type === FRAME.request && request === null) {
        count++;
        try {
          request = JSON.parse(payload.toString()) as ExecRequest;
        } catch {
          stderr('blastgate: sandbox: malformed exec request\n');
          return finish({ code: 77, signal: null });
        }
        handle(request).catch((err: unknown) => {
          const msg = err instanceof Refused || isBlastgateError(err) ? (err as Error).message : `internal error: ${(err as Error)?.message ?? String(err)}`;
          stderr(`blastgate: ${msg}\n`);
          finish({ code: 77, signal: null });
        });
      } else if (type === FRAME.stdin) {
        if (!stdin.writableEnded) stdin.write(payload);
      } else if (type === FRAME.stdinEnd) stdin.end();
      else if (type === FRAME.signal) {
        const sig = payload.toString() as NodeJS.Signals;
        if (!['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'].includes(sig)) return;
        if (tool) tool.signal(sig);
        // Interrupted while waiting for a verdict or approval: the command never runs.
        else finish({ code: null, signal: sig });
      }
    };
    const read = frameReader(onFrame);
    conn.on('data', (chunk: Buffer) => {
      try {
        read(chunk);
      } catch (err) {
        // An oversized or garbled frame ends this request, never the broker.
        stderr(`blastgate: sandbox: bad exec request: ${(err as Error).message}\n`);
        finish({ code: 77, signal: null });
        conn.destroy();
      }
    });
  };

  const server = createServer(serve);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socketPath, () => resolve());
  });
  let egress: { close(): Promise<void> } | null = null;
  try {
    const cwd = opts.writable[0] ?? '/';
    if (opts.egress) egress = await (await import('../egress/start.js')).startEgress({ ...opts.egress, engine: await engineFor(cwd), secrets: opts.secrets, cwd });
  } catch (err) {
    // A broken egress policy stops the sandbox before the agent starts: no half-open broker left behind.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(opts.socketPath, { force: true });
    throw err;
  }

  const close = async () => {
    for (const r of running) r.signal('SIGKILL');
    for (const w of waits) w.abort();
    for (const c of conns) c.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(opts.socketPath, { force: true });
    await egress?.close();
    // Requests this broker left waiting: nobody is there to run them any more.
    const paths = resolvePaths(opts.env);
    const { listPending, removePending } = await import('../approvals/store.js');
    for (const p of listPending(paths)) if (p.pid === process.pid) removePending(paths, p.id);
  };

  return { server, close, handled: () => count };
};
