// A wgetrc (~/.wgetrc, $WGETRC, /etc/wgetrc) as command-line words: each `command = value` line is the
// long option of the same name (wget(1): `-e command` "as if it were a part of .wgetrc"; commands ignore
// case, `_` and `-`). `#` starts a comment line.
import type { ConfigWords } from './curl-config.js';

const LINE = /^([A-Za-z0-9_-]+)[ \t]*=[ \t]*(.*?)[ \t]*$/;
const squash = (name: string) => name.toLowerCase().replace(/[-_]/g, '');

/** `longOptions`: every long option the grammar knows, so `postdata` finds `--post-data`. */
export const wgetrcWords = (text: string, longOptions: string[]): ConfigWords => {
  const byName = new Map(longOptions.map((o) => [squash(o.replace(/^--/, '')), o]));
  const words: string[] = [];
  for (const [n, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) return { problem: `line ${n + 1}: not a \`command = value\` line` };
    const option = byName.get(squash(m[1]!)) ?? `--${m[1]!.toLowerCase().replace(/_/g, '-')}`;
    words.push(`${option}=${m[2]!}`);
  }
  return { words };
};
