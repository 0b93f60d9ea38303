// What a guarded binary is inside the sandbox: this script, bind-mounted over the real file. It asks the
// broker outside to run the real tool and relays its output, exit code and death by signal. It knows
// nothing else, so every way to reach the path (absolute, `env -i`, `command -p`, `exec -a`) ends here.
// No imports beyond node core and the wire format: this must start as fast as node itself.
import { connect } from 'node:net';
import { encodeFrame, FRAME, frameReader, type ExecExit, type ExecRequest } from './protocol.js';
import { SOCKET_INSIDE } from './socket-path.js';

const name = (process.argv[1] ?? 'tool').split('/').pop();
const fail = (why: string): never => {
  process.stderr.write(`blastgate: ${name}: not run: ${why}\n`);
  process.exit(77);
};

const env: Record<string, string> = {};
for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
const request: ExecRequest = {
  v: 1,
  binary: process.argv[1] ?? '',
  args: process.argv.slice(2),
  cwd: process.cwd(),
  env,
  stdinIsTTY: process.stdin.isTTY === true,
};

let finished = false;
const sock = connect(SOCKET_INSIDE);
sock.on('error', (err) => {
  if (!finished) fail(`the sandbox's broker cannot be reached (${(err as NodeJS.ErrnoException).code ?? err.message})`);
});
sock.on('close', () => {
  if (!finished) fail("the sandbox's broker went away before the command finished");
});

const write = (stream: NodeJS.WriteStream, data: Buffer) => {
  try {
    stream.write(data);
  } catch {
    // a closed stdout/stderr (EPIPE) must not turn into a crash of the relay
  }
};
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
const onSignal = (sig: NodeJS.Signals) => void sock.write(encodeFrame(FRAME.signal, sig));
for (const sig of FORWARDED) process.on(sig, onSignal);

const exitLike = (end: ExecExit) => {
  finished = true;
  if (end.signal) {
    for (const sig of FORWARDED) process.off(sig, onSignal);
    try {
      process.kill(process.pid, end.signal as NodeJS.Signals);
    } catch {
      // unknown signal name: fall through to an exit code
    }
  }
  process.exit(end.code ?? 128 + 1);
};

sock.on(
  'data',
  frameReader((type, payload) => {
    if (type === FRAME.stdout) write(process.stdout, payload);
    else if (type === FRAME.stderr) write(process.stderr, payload);
    else if (type === FRAME.exit) exitLike(JSON.parse(payload.toString()) as ExecExit);
  }),
);

sock.on('connect', () => {
  sock.write(encodeFrame(FRAME.request, JSON.stringify(request)));
  const stdin = process.stdin;
  stdin.on('data', (chunk: Buffer) => void sock.write(encodeFrame(FRAME.stdin, chunk)));
  stdin.on('end', () => void sock.write(encodeFrame(FRAME.stdinEnd)));
  // No stdin at all (closed fd 0): the tool gets an empty one.
  stdin.on('error', () => void sock.write(encodeFrame(FRAME.stdinEnd)));
});
