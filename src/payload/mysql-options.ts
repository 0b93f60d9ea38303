// MySQL / MariaDB option files (~/.my.cnf, /etc/mysql/my.cnf, --defaults-extra-file) as command-line
// words: `name=value` lines in the groups the mysql client reads become `--name=value`
// (init-command, execute … are judged like the same flags); `!include FILE` / `!includedir DIR` are
// followed. dev.mysql.com/doc/refman/8.0/en/option-files.html
import type { ConfigWords } from './curl-config.js';

/** Groups the mysql / mariadb command-line client reads. */
const CLIENT_GROUPS = new Set(['client', 'mysql', 'client-server', 'client-mariadb', 'mariadb-client']);
const unquote = (v: string) => (/^(["']).*\1$/.test(v) ? v.slice(1, -1) : v);

export const mysqlOptionWords = (text: string): ConfigWords => {
  const words: string[] = [];
  const includes: string[] = [];
  const includeDirs: string[] = [];
  let group: string | null = null;
  for (const [n, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const inc = /^!include(dir)?\s+(.+)$/.exec(line);
    if (inc) {
      (inc[1] ? includeDirs : includes).push(inc[2]!.trim());
      continue;
    }
    const g = /^\[([^\]]+)\]$/.exec(line);
    if (g) {
      group = g[1]!.trim().toLowerCase();
      continue;
    }
    if (group === null) return { problem: `line ${n + 1}: an option outside any [group]` };
    if (!CLIENT_GROUPS.has(group)) continue;
    const eq = line.indexOf('=');
    const name = (eq < 0 ? line : line.slice(0, eq)).trim().replace(/_/g, '-');
    if (!/^[A-Za-z0-9-]+$/.test(name)) return { problem: `line ${n + 1}: not an option` };
    words.push(eq < 0 ? `--${name}` : `--${name}=${unquote(line.slice(eq + 1).trim())}`);
  }
  return { words, includes, includeDirs };
};
