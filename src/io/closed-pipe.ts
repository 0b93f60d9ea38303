// `blastgate rules list | head -1`: once the reader is gone, stop quietly — as a C tool killed by
// SIGPIPE does (the shell prints nothing for it) — instead of an EPIPE stack trace.
import { constants } from 'node:os';

const dieBySigpipe = (): never => {
  // Node starts with SIGPIPE ignored; listening then unlistening makes libuv restore the default.
  const noop = () => {};
  try {
    process.on('SIGPIPE', noop);
    process.off('SIGPIPE', noop);
    process.kill(process.pid, 'SIGPIPE');
  } catch {
    // no SIGPIPE here: fall through to the shell's number for it
  }
  process.exit(128 + (constants.signals.SIGPIPE ?? 13));
};

/** Install once at start-up: an EPIPE on stdout or stderr ends the process by SIGPIPE. */
export const exitQuietlyOnClosedPipe = (): void => {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') dieBySigpipe();
      throw err;
    });
  }
};
