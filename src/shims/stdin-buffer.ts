// Read a tool's piped stdin so an analyzer can judge it (SQL piped into psql), keeping the exact bytes
// for replay; never hold more than a fixed cap in memory.
import type { Readable } from 'node:stream';

/**
 * At most this many bytes of stdin are held for analysis (8 MiB). Past it the payload is judged
 * unknown (→ confirm) and, if the command still runs, the held bytes are replayed and the rest of the
 * stream is piped through without being kept.
 */
export const STDIN_CAP_BYTES = 8 * 1024 * 1024;

/**
 * A stdin that stays silent this long (no byte, no EOF) is judged unknown instead of waited for: an
 * idle pipe that never closes (some harnesses keep one open) must not hang `psql --version` forever.
 * The stream is then passed through to the tool, unanalysed.
 */
export const STDIN_FIRST_BYTE_MS = 2000;

export interface BufferedStdin {
  /** The bytes read so far, exactly as read. */
  chunks: Buffer[];
  bytes: number;
  /** The analysis cannot see the whole stream: more than the cap was available, or reading failed. */
  truncated: boolean;
  /** Past the cap: the paused stream holding what follows (piped to the tool after the held bytes). */
  rest: Readable | null;
}

/** Reads `stream` to its end or just past `cap` bytes, whichever comes first. */
export const bufferStdin = (stream: Readable = process.stdin, cap = STDIN_CAP_BYTES, firstByteMs = STDIN_FIRST_BYTE_MS): Promise<BufferedStdin> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const silent = setTimeout(() => {
      stream.pause();
      finish(true, stream);
    }, firstByteMs);
    const finish = (truncated: boolean, rest: Readable | null) => {
      clearTimeout(silent);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      resolve({ chunks, bytes, truncated, rest });
    };
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      clearTimeout(silent);
      chunks.push(buf);
      bytes += buf.length;
      if (bytes > cap) {
        stream.pause();
        finish(true, stream);
      }
    };
    const onEnd = () => finish(false, null);
    // An unreadable stdin (EIO, a reset socket): judge it unknown; what was read is still replayed.
    const onError = () => finish(true, null);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });

/** The text an analyzer sees (UTF-8; invalid bytes become U+FFFD, the replay keeps the originals). */
export const bufferedText = (b: BufferedStdin): string => Buffer.concat(b.chunks, b.bytes).toString('utf8');
