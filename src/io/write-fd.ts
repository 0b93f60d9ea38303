// Write straight to a file descriptor: touching process.stdout costs ~5 ms of stream setup per start,
// and the hot commands write one short answer.
import { writeSync } from 'node:fs';

export const writeFd = (fd: 1 | 2) => (text: string) => {
  const bytes = Buffer.from(text);
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done);
  } catch {
    // EAGAIN on a non-blocking pipe and the like: let the stream handle the rest.
    (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(done));
  }
};
