// Runs first inside the jail (bundled to dist/egress-forwarder.js): a loopback port in the jail's network
// namespace that relays each connection over the unix socket bound into the jail to the broker's proxy,
// then starts the agent and ends as it ends. Killing it gains the agent nothing: the socket is the only
// way out either way. No imports beyond node core: it delays the agent's start.
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

const [portText, socketPath, dashes, ...command] = process.argv.slice(2);
if (!portText || !socketPath || dashes !== '--' || command.length === 0) {
  process.stderr.write('blastgate: egress forwarder: usage: PORT SOCKET -- COMMAND…\n');
  process.exit(2);
}

const server = createServer((inside) => {
  const out = connect(socketPath);
  inside.setNoDelay(true);
  inside.pipe(out);
  out.pipe(inside);
  const end = () => {
    inside.destroy();
    out.destroy();
  };
  inside.on('error', end);
  out.on('error', end);
  inside.on('close', end);
  out.on('close', end);
});
server.on('error', (err) => {
  process.stderr.write(`blastgate: egress forwarder: cannot listen on 127.0.0.1:${portText} (${(err as NodeJS.ErrnoException).code ?? err.message})\n`);
  process.exit(77);
});
server.listen(Number(portText), '127.0.0.1', () => {
  const agent = spawn(command[0]!, command.slice(1), { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) process.on(sig, () => agent.kill(sig));
  agent.on('error', (err) => {
    process.stderr.write(`blastgate: sandbox: cannot start ${command[0]}: ${(err as NodeJS.ErrnoException).code ?? err.message}\n`);
    process.exit((err as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126);
  });
  agent.on('exit', (code, signal) => {
    if (signal) {
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) process.removeAllListeners(sig);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
});
